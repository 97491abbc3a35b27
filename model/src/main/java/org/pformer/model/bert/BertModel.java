package org.pformer.model.bert;

import ai.djl.ndarray.NDArray;
import org.pformer.model.nn.Masks;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ModuleList;
import org.pformer.model.nn.ParameterFactory;

/**
 * BERT encoder with HF parameter names ({@code embeddings.*}, {@code encoder.layer.N.*}); no pooler (the
 * P-Former and the Q-Former use the last hidden states directly).
 */
public final class BertModel extends Module {

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final ModuleList<BertLayer> layers;

    public BertModel(ParameterFactory f, BertConfig c) {
        this(f, c, true);
    }

    /**
     * @param withTextPath false builds a query-only Q-Former (LAVIS {@code blip2_opt.py} drops the word and position
     *     embeddings and every layer's text FFN): only query embeddings can be encoded
     */
    public BertModel(ParameterFactory f, BertConfig c, boolean withTextPath) {
        this.config = c;
        embeddings = addChild("embeddings", new BertEmbeddings(f, c, withTextPath));
        Encoder encoder = addChild("encoder", new Encoder(f, c, withTextPath));
        layers = encoder.layer;
    }

    /** Last hidden states (B, L, H) for (B, L) ids and their 0/1 padding mask. */
    public NDArray forward(NDArray inputIds, NDArray attentionMask) {
        NDArray x = embeddings.forward(inputIds, null);
        return encode(x, Masks.padding(attentionMask), null, null, 0);
    }

    /** Runs the layers on already embedded states with an explicit additive self-attention mask. */
    public NDArray encode(NDArray hidden, NDArray selfMask, NDArray encoderHidden, NDArray encoderMask,
            int queryLength) {
        NDArray x = hidden;
        for (BertLayer layer : layers.items()) {
            x = layer.forward(x, selfMask, encoderHidden, encoderMask, queryLength);
        }
        return x;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    public BertConfig config() {
        return config;
    }

    /** {@code encoder}: holds {@code layer.N}. */
    static final class Encoder extends Module {
        final ModuleList<BertLayer> layer;

        Encoder(ParameterFactory f, BertConfig c, boolean withTextPath) {
            layer = addChild("layer", new ModuleList<>(c.numLayers(), i -> new BertLayer(f, c, i, withTextPath)));
        }
    }
}
