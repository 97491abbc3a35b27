package org.pformer.model.opt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
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
        DataType dtype = dataType();
        NDArray x = inputsEmbeds.toType(dtype, false);
        if (decoder.projectIn != null) {
            x = decoder.projectIn.forward(x);
        }
        x = x.add(decoder.embedPositions.forward(OptPositions.fromAttentionMask(attentionMask)));
        NDArray mask = Masks.causalWithPadding(attentionMask);
        for (OptDecoderLayer layer : decoder.layers.items()) {
            x = layer.forward(x, mask);
        }
        if (decoder.finalLayerNorm != null) {
            x = decoder.finalLayerNorm.forward(x);
        }
        if (decoder.projectOut != null) {
            x = decoder.projectOut.forward(x);
        }
        if (firstLogitPosition < 0 || firstLogitPosition >= length) {
            throw new IllegalArgumentException("firstLogitPosition " + firstLogitPosition + " outside [0, " + length + ")");
        }
        NDArray head = firstLogitPosition == 0 ? x : x.get(new NDIndex(":, {}:, :", firstLogitPosition));
        NDArray logits = ai.djl.nn.core.Linear.linear(head, decoder.embedTokens.weight().array()).singletonOrThrow();
        return new Output(x.toType(DataType.FLOAT32, false), logits.toType(DataType.FLOAT32, false));
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
