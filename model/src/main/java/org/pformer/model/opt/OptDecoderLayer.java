package org.pformer.model.opt;

import ai.djl.ndarray.NDArray;
import org.pformer.model.nn.Attention;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.LayerNorm;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ParameterFactory;

/**
 * OPT decoder layer: {@code self_attn.{q,k,v,out}_proj}, {@code self_attn_layer_norm}, {@code fc1} (ReLU),
 * {@code fc2}, {@code final_layer_norm}; pre-norm when {@link OptConfig#layerNormBefore()}.
 */
public final class OptDecoderLayer extends Module {

    private final OptConfig config;
    private final SelfAttention selfAttn;
    private final LayerNorm selfAttnLayerNorm;
    private final Linear fc1;
    private final Linear fc2;
    private final LayerNorm finalLayerNorm;

    public OptDecoderLayer(ParameterFactory f, OptConfig c) {
        this.config = c;
        selfAttn = addChild("self_attn", new SelfAttention(f, c.hiddenSize()));
        selfAttnLayerNorm = addChild("self_attn_layer_norm", new LayerNorm(f, c.hiddenSize(), 1e-5));
        fc1 = addChild("fc1", new Linear(f, c.hiddenSize(), c.ffnDim()));
        fc2 = addChild("fc2", new Linear(f, c.ffnDim(), c.hiddenSize()));
        finalLayerNorm = addChild("final_layer_norm", new LayerNorm(f, c.hiddenSize(), 1e-5));
    }

    /** Self-attention keys and values (B, L, H) of the positions seen so far, for incremental decoding. */
    public record KeyValue(NDArray key, NDArray value) {}

    /** A layer's output states and the keys/values of all positions it attended over. */
    public record CachedOutput(NDArray hidden, KeyValue keyValue) {}

    public NDArray forward(NDArray hidden, NDArray additiveMask) {
        return forward(hidden, additiveMask, null).hidden();
    }

    /**
     * The layer on new positions {@code hidden} (B, Lnew, H) that also attend to {@code past} positions' keys and
     * values (null = none); {@code additiveMask} is broadcastable to (B, heads, Lnew, Lpast + Lnew).
     */
    public CachedOutput forward(NDArray hidden, NDArray additiveMask, KeyValue past) {
        boolean pre = config.layerNormBefore();
        NDArray residual = hidden;
        NDArray x = pre ? selfAttnLayerNorm.forward(hidden) : hidden;
        CachedOutput attended = selfAttn.forward(x, additiveMask, config, isTraining(), past);
        x = residual.add(Functional.dropout(attended.hidden(), config.dropout(), isTraining()));
        if (!pre) {
            x = selfAttnLayerNorm.forward(x);
        }
        residual = x;
        NDArray y = pre ? finalLayerNorm.forward(x) : x;
        y = fc2.forward(Functional.relu(fc1.forward(y)));
        x = residual.add(Functional.dropout(y, config.dropout(), isTraining()));
        return new CachedOutput(pre ? x : finalLayerNorm.forward(x), attended.keyValue());
    }

    /** {@code self_attn}: queries are scaled by head_dim^-0.5 after projection (HF OPTAttention). */
    static final class SelfAttention extends Module {
        private final Linear kProj;
        private final Linear vProj;
        private final Linear qProj;
        private final Linear outProj;

        SelfAttention(ParameterFactory f, int hidden) {
            kProj = addChild("k_proj", new Linear(f, hidden, hidden));
            vProj = addChild("v_proj", new Linear(f, hidden, hidden));
            qProj = addChild("q_proj", new Linear(f, hidden, hidden));
            outProj = addChild("out_proj", new Linear(f, hidden, hidden));
        }

        CachedOutput forward(NDArray x, NDArray mask, OptConfig c, boolean training, KeyValue past) {
            double scaling = Math.pow((double) c.hiddenSize() / c.numHeads(), -0.5);
            NDArray q = Functional.scale(qProj.forward(x), scaling);
            NDArray k = kProj.forward(x);
            NDArray v = vProj.forward(x);
            if (past != null) {
                k = past.key().concat(k, 1);
                v = past.value().concat(v, 1);
            }
            NDArray context = Attention.scaledDotProduct(q, k, v, mask, c.numHeads(), 1.0, c.attentionDropout(),
                    training);
            return new CachedOutput(outProj.forward(context), new KeyValue(k, v));
        }
    }
}
