package org.pformer.model.opt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.pformer.model.nn.Embedding;
import org.pformer.model.nn.LayerNorm;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Masks;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ModuleList;
import org.pformer.model.nn.ParameterFactory;

/**
 * OPT causal language model with HF parameter names ({@code model.decoder.*}); the LM head is tied to
 * {@code model.decoder.embed_tokens.weight}, so there is no separate {@code lm_head.weight} parameter.
 *
 * <p>When the module is cast to FLOAT16 (frozen LLM on a GPU) inputs are cast into its precision at the
 * boundary and hidden states and logits are returned in FLOAT32.
 */
public final class OptForCausalLM extends Module {

    /** Hidden states after the final LayerNorm (and {@code project_out}) and the vocabulary logits. */
    public record Output(NDArray lastHiddenState, NDArray logits) {}

    private final OptConfig config;
    private final Decoder decoder;

    public OptForCausalLM(ParameterFactory f, OptConfig c) {
        this.config = c;
        decoder = addChild("model", new ModelHolder(f, c)).decoder;
    }

    public OptConfig config() {
        return config;
    }

    /** The frozen input-embedding table (vocab, wordEmbedProjDim), also the tied LM head. */
    public Embedding embedTokens() {
        return decoder.embedTokens;
    }

    /** Token embeddings (B, L, wordEmbedProjDim) in FLOAT32, e.g. to concatenate after a soft prompt. */
    public NDArray embed(NDArray inputIds) {
        return decoder.embedTokens.forward(inputIds).toType(DataType.FLOAT32, false);
    }

    /** Runs the decoder on token ids. */
    public Output forward(NDArray inputIds, NDArray attentionMask) {
        return forwardEmbeds(decoder.embedTokens.forward(inputIds), attentionMask);
    }

    /**
     * Runs the decoder on input embeddings (B, L, wordEmbedProjDim) with a (B, L) 0/1 attention mask. Positions
     * come from the mask ({@link OptPositions}); the self-attention mask is causal and blocks padded keys.
     */
    public Output forwardEmbeds(NDArray inputsEmbeds, NDArray attentionMask) {
        return forwardEmbeds(inputsEmbeds, attentionMask, 0);
    }

    /**
     * As {@link #forwardEmbeds(NDArray, NDArray)}, computing logits only from position {@code firstLogitPosition}
     * on (B, L − first, V): a soft prompt's own positions need no vocabulary projection, which is the largest
     * activation of a 50k-vocabulary LLM.
     */
    public Output forwardEmbeds(NDArray inputsEmbeds, NDArray attentionMask, int firstLogitPosition) {
        long length = inputsEmbeds.getShape().get(1);
        if (length > config.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence length " + length + " exceeds maxPositions " + config.maxPositions());
        }
        if (firstLogitPosition < 0 || firstLogitPosition >= length) {
            throw new IllegalArgumentException("firstLogitPosition " + firstLogitPosition + " outside [0, " + length + ")");
        }
        NDArray x = decode(inputsEmbeds, OptPositions.fromAttentionMask(attentionMask),
                Masks.causalWithPadding(attentionMask), null, null);
        NDArray head = firstLogitPosition == 0 ? x : x.get(new NDIndex(":, {}:, :", firstLogitPosition));
        return new Output(x.toType(DataType.FLOAT32, false), logits(head));
    }

    /**
     * Self-attention keys and values of every layer for the positions decoded so far (incremental decoding). The
     * arrays belong to the cache: {@link #close()} releases them.
     */
    public static final class KeyValueCache implements AutoCloseable {
        private final List<OptDecoderLayer.KeyValue> layers;

        KeyValueCache(List<OptDecoderLayer.KeyValue> layers) {
            this.layers = List.copyOf(layers);
        }

        /** Number of positions held. */
        public long length() {
            return layers.get(0).key().getShape().get(1);
        }

        /** Number of sequences (rows) held. */
        public long rows() {
            return layers.get(0).key().getShape().get(0);
        }

        /** A new cache whose row i is this cache's row {@code rows[i]} (beam reordering, dropping finished rows). */
        public KeyValueCache select(NDArray rows) {
            List<OptDecoderLayer.KeyValue> out = new ArrayList<>();
            for (OptDecoderLayer.KeyValue kv : layers) {
                out.add(new OptDecoderLayer.KeyValue(kv.key().get(rows), kv.value().get(rows)));
            }
            return new KeyValueCache(out);
        }

        /** Keeps the arrays alive beyond the current {@link NDScope}. */
        public KeyValueCache detachFromScope() {
            for (OptDecoderLayer.KeyValue kv : layers) {
                NDScope.unregister(kv.key(), kv.value());
            }
            return this;
        }

        @Override
        public void close() {
            for (OptDecoderLayer.KeyValue kv : layers) {
                kv.key().close();
                kv.value().close();
            }
        }
    }

    /** Next-token logits (B, V) of the last position, in FLOAT32, and the cache extended by the new positions. */
    public record IncrementalOutput(NDArray logits, KeyValueCache cache) {}

    /**
     * Incremental decoding: runs the decoder on {@code newEmbeds} (B, Lnew, wordEmbedProjDim) that follow the
     * positions held by {@code past} (null for none). {@code attentionMask} (B, Lpast + Lnew) covers all positions;
     * positions and the causal/padding mask are derived from it as in {@link #forwardEmbeds}, so the logits equal
     * those of a full forward pass over the whole sequence. {@code past} is left as it is.
     */
    public IncrementalOutput forwardIncremental(NDArray newEmbeds, NDArray attentionMask, KeyValueCache past) {
        long pastLength = past == null ? 0 : past.length();
        long newLength = newEmbeds.getShape().get(1);
        long total = attentionMask.getShape().get(1);
        if (pastLength + newLength != total) {
            throw new IllegalArgumentException("attention mask covers " + total + " positions, but the cache holds "
                    + pastLength + " and " + newLength + " are new");
        }
        if (past != null && past.rows() != newEmbeds.getShape().get(0)) {
            throw new IllegalArgumentException("cache has " + past.rows() + " rows, input has "
                    + newEmbeds.getShape().get(0));
        }
        if (total > config.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence length " + total + " exceeds maxPositions " + config.maxPositions());
        }
        NDArray positions = OptPositions.fromAttentionMask(attentionMask);
        if (pastLength > 0) {
            positions = positions.get(new NDIndex(":, {}:", pastLength));
        }
        List<OptDecoderLayer.KeyValue> present = new ArrayList<>();
        NDArray x = decode(newEmbeds, positions, incrementalMask(attentionMask, pastLength, newLength),
                past == null ? null : past.layers, present);
        NDArray last = x.get(new NDIndex(":, -1:, :"));
        NDArray logits = logits(last);
        return new IncrementalOutput(logits.reshape(logits.getShape().get(0), logits.getShape().get(2)),
                new KeyValueCache(present));
    }

    /** Causal + key-padding mask of {@code newLength} query positions after {@code pastLength} cached ones. */
    private static NDArray incrementalMask(NDArray attentionMask, long pastLength, long newLength) {
        if (pastLength == 0) {
            return Masks.causalWithPadding(attentionMask);
        }
        NDArray padding = Masks.padding(attentionMask);
        if (newLength == 1) {
            return padding; // the newest position sees every earlier one
        }
        int rows = (int) newLength;
        int cols = (int) (pastLength + newLength);
        float[] structure = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                structure[i * cols + j] = j <= pastLength + i ? 0f : Masks.BLOCKED;
            }
        }
        NDArray causal = attentionMask.getManager().create(structure, new ai.djl.ndarray.types.Shape(1, 1, rows, cols));
        return Masks.combine(causal, padding);
    }

    /** The decoder layers on embeddings; fills {@code present} with each layer's keys/values when it is non-null. */
    private NDArray decode(NDArray inputsEmbeds, NDArray positions, NDArray mask,
            List<OptDecoderLayer.KeyValue> past, List<OptDecoderLayer.KeyValue> present) {
        NDArray x = inputsEmbeds.toType(dataType(), false);
        if (decoder.projectIn != null) {
            x = decoder.projectIn.forward(x);
        }
        x = x.add(decoder.embedPositions.forward(positions));
        List<OptDecoderLayer> layerList = decoder.layers.items();
        for (int i = 0; i < layerList.size(); i++) {
            OptDecoderLayer.CachedOutput out = layerList.get(i).forward(x, mask, past == null ? null : past.get(i));
            x = out.hidden();
            if (present != null) {
                present.add(out.keyValue());
            }
        }
        if (decoder.finalLayerNorm != null) {
            x = decoder.finalLayerNorm.forward(x);
        }
        if (decoder.projectOut != null) {
            x = decoder.projectOut.forward(x);
        }
        return x;
    }

    /** Vocabulary logits in FLOAT32 through the LM head tied to the input embeddings. */
    private NDArray logits(NDArray hidden) {
        return ai.djl.nn.core.Linear.linear(hidden, decoder.embedTokens.weight().array()).singletonOrThrow()
                .toType(DataType.FLOAT32, false);
    }

    /** {@code model}: holds {@code decoder}. */
    static final class ModelHolder extends Module {
        final Decoder decoder;

        ModelHolder(ParameterFactory f, OptConfig c) {
            decoder = addChild("decoder", new Decoder(f, c));
        }
    }

    /** {@code model.decoder}. */
    static final class Decoder extends Module {
        final Embedding embedTokens;
        final Embedding embedPositions;
        final Linear projectIn;
        final Linear projectOut;
        final LayerNorm finalLayerNorm;
        final ModuleList<OptDecoderLayer> layers;

        Decoder(ParameterFactory f, OptConfig c) {
            embedTokens = addChild("embed_tokens", new Embedding(f, c.vocabSize(), c.wordEmbedProjDim()));
            embedPositions = addChild("embed_positions",
                    new Embedding(f, c.maxPositions() + OptConfig.POSITION_OFFSET, c.hiddenSize()));
            boolean project = c.wordEmbedProjDim() != c.hiddenSize();
            projectOut = project ? addChild("project_out", new Linear(f, c.hiddenSize(), c.wordEmbedProjDim(), false))
                    : null;
            projectIn = project ? addChild("project_in", new Linear(f, c.wordEmbedProjDim(), c.hiddenSize(), false))
                    : null;
            finalLayerNorm = c.layerNormBefore()
                    ? addChild("final_layer_norm", new LayerNorm(f, c.hiddenSize(), 1e-5))
                    : null;
            layers = addChild("layers", new ModuleList<>(c.numLayers(), i -> new OptDecoderLayer(f, c)));
        }
    }
}
