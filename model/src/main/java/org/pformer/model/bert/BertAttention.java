package org.pformer.model.bert;

import ai.djl.ndarray.NDArray;
import org.pformer.model.nn.Attention;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.LayerNorm;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ParameterFactory;

/**
 * BERT attention sub-layer: {@code self.{query,key,value}} projections, then {@code output.dense}, dropout,
 * residual and {@code output.LayerNorm} (post-norm). As cross-attention, keys and values are projected from
 * states of another width ({@code keyValueWidth}).
 */
public final class BertAttention extends Module {

    private final BertConfig config;
    private final Projections self;
    private final Output output;

    public BertAttention(ParameterFactory f, BertConfig c, int keyValueWidth) {
        this.config = c;
        self = addChild("self", new Projections(f, c.hiddenSize(), keyValueWidth));
        output = addChild("output", new Output(f, c.hiddenSize(), c.hiddenSize(), c.layerNormEps()));
    }

    /**
     * @param hidden (B, Lq, H) queries (and keys/values for self-attention)
     * @param keyValue (B, Lk, W) states to attend to, or null for self-attention
     * @param additiveMask mask broadcastable to (B, heads, Lq, Lk), or null
     */
    public NDArray forward(NDArray hidden, NDArray keyValue, NDArray additiveMask) {
        NDArray kvSource = keyValue == null ? hidden : keyValue;
        NDArray q = self.query.forward(hidden);
        NDArray k = self.key.forward(kvSource);
        NDArray v = self.value.forward(kvSource);
        double scale = 1.0 / Math.sqrt((double) config.hiddenSize() / config.numHeads());
        NDArray context = Attention.scaledDotProduct(q, k, v, additiveMask, config.numHeads(), scale,
                config.attentionDropout(), isTraining());
        return output.forward(context, hidden, config.hiddenDropout());
    }

    /** {@code attention.self}: the three projections. */
    static final class Projections extends Module {
        final Linear query;
        final Linear key;
        final Linear value;

        Projections(ParameterFactory f, int hidden, int keyValueWidth) {
            query = addChild("query", new Linear(f, hidden, hidden));
            key = addChild("key", new Linear(f, keyValueWidth, hidden));
            value = addChild("value", new Linear(f, keyValueWidth, hidden));
        }
    }

    /** {@code dense} → dropout → + residual → {@code LayerNorm} (HF BertSelfOutput / BertOutput). */
    static final class Output extends Module {
        private final Linear dense;
        private final LayerNorm layerNorm;

        Output(ParameterFactory f, int in, int hidden, double eps) {
            dense = addChild("dense", new Linear(f, in, hidden));
            layerNorm = addChild("LayerNorm", new LayerNorm(f, hidden, eps));
        }

        NDArray forward(NDArray x, NDArray residual, double dropout) {
            NDArray y = Functional.dropout(dense.forward(x), dropout, isTraining());
            return layerNorm.forward(y.add(residual));
        }
    }
}
