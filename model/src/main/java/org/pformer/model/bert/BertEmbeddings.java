package org.pformer.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pformer.model.nn.Embedding;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.LayerNorm;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ParameterFactory;

/** Word + absolute position (+ token type 0) embeddings, LayerNorm, dropout (HF {@code BertEmbeddings}). */
public final class BertEmbeddings extends Module {

    private final BertConfig config;
    private final Embedding wordEmbeddings;
    private final Embedding positionEmbeddings;
    private final Embedding tokenTypeEmbeddings;
    private final LayerNorm layerNorm;

    public BertEmbeddings(ParameterFactory f, BertConfig c) {
        this(f, c, true);
    }

    /**
     * @param withTokens whether the word, position (and token-type) tables exist; without them only query
     *     embeddings can be embedded (BLIP-2 stage 2 drops the Q-Former's text path, LAVIS {@code blip2_opt.py})
     */
    public BertEmbeddings(ParameterFactory f, BertConfig c, boolean withTokens) {
        this.config = c;
        wordEmbeddings = withTokens
                ? addChild("word_embeddings", new Embedding(f, c.vocabSize(), c.hiddenSize()))
                : null;
        positionEmbeddings = withTokens
                ? addChild("position_embeddings", new Embedding(f, c.maxPositions(), c.hiddenSize()))
                : null;
        tokenTypeEmbeddings = withTokens && c.typeVocabSize() > 0
                ? addChild("token_type_embeddings", new Embedding(f, c.typeVocabSize(), c.hiddenSize()))
                : null;
        layerNorm = addChild("LayerNorm", new LayerNorm(f, c.hiddenSize(), c.layerNormEps()));
    }

    /**
     * Embeds (B, L) token ids; when {@code queryEmbeds} (B, Q, H) is given it is prepended without position
     * embeddings (BLIP-2 Q-Former). Either argument may be null, not both.
     */
    public NDArray forward(NDArray inputIds, NDArray queryEmbeds) {
        NDArray x = null;
        if (inputIds != null) {
            if (wordEmbeddings == null) {
                throw new IllegalStateException("these embeddings have no token tables (query-only Q-Former)");
            }
            long length = inputIds.getShape().get(1);
            if (length > config.maxPositions()) {
                throw new IllegalArgumentException(
                        "sequence length " + length + " exceeds maxPositions " + config.maxPositions());
            }
            NDManager m = inputIds.getManager();
            NDArray positions = m.arange(0, (int) length, 1, DataType.INT64).reshape(1, length);
            x = wordEmbeddings.forward(inputIds).add(positionEmbeddings.forward(positions));
            if (tokenTypeEmbeddings != null) {
                NDArray types = m.zeros(new Shape(1, length), DataType.INT64);
                x = x.add(tokenTypeEmbeddings.forward(types));
            }
        }
        if (queryEmbeds != null) {
            x = x == null ? queryEmbeds : queryEmbeds.concat(x, 1);
        }
        if (x == null) {
            throw new IllegalArgumentException("BertEmbeddings needs input ids or query embeddings");
        }
        return Functional.dropout(layerNorm.forward(x), config.hiddenDropout(), isTraining());
    }

    /** The word-piece table, or null for query-only embeddings. */
    public Embedding wordEmbeddings() {
        return wordEmbeddings;
    }
}
