package org.pformer.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.Dense;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ParameterFactory;

/**
 * One BERT layer: self-attention, optional cross-attention and the feed-forward block
 * ({@code intermediate.dense} + GELU, {@code output.dense} + dropout + residual + LayerNorm).
 *
 * <p>For BLIP-2's Q-Former a layer also runs with {@code queryLength > 0}: the first {@code queryLength}
 * positions are query tokens; only they cross-attend to the encoder states and they go through the separate
 * {@code intermediate_query}/{@code output_query} FFN, while the remaining (text) positions use the ordinary FFN
 * (LAVIS {@code BertLayer.forward}).
 */
public final class BertLayer extends Module {

    private final BertConfig config;
    private final BertAttention attention;
    private final BertAttention crossAttention;
    private final Dense intermediate;
    private final BertAttention.Output output;
    private final Dense intermediateQuery;
    private final BertAttention.Output outputQuery;

    public BertLayer(ParameterFactory f, BertConfig c, int index) {
        this(f, c, index, true);
    }

    /**
     * @param withTextFeedForward whether the text positions' FFN ({@code intermediate}/{@code output}) exists;
     *     a query-only Q-Former (BLIP-2 stage 2) has just the query FFN
     */
    public BertLayer(ParameterFactory f, BertConfig c, int index, boolean withTextFeedForward) {
        this.config = c;
        if (!withTextFeedForward && !c.queryFeedForward()) {
            throw new IllegalArgumentException("a layer without the text FFN needs a config with queryFeedForward");
        }
        attention = addChild("attention", new BertAttention(f, c, c.hiddenSize()));
        crossAttention = c.hasCrossAttention(index)
                ? addChild("crossattention", new BertAttention(f, c, c.encoderWidth()))
                : null;
        intermediate = withTextFeedForward
                ? addChild("intermediate", new Dense(f, c.hiddenSize(), c.intermediateSize()))
                : null;
        output = withTextFeedForward
                ? addChild("output",
                        new BertAttention.Output(f, c.intermediateSize(), c.hiddenSize(), c.layerNormEps()))
                : null;
        if (c.queryFeedForward()) {
            intermediateQuery = addChild("intermediate_query",
                    new Dense(f, c.hiddenSize(), c.intermediateSize()));
            outputQuery = addChild("output_query",
                    new BertAttention.Output(f, c.intermediateSize(), c.hiddenSize(), c.layerNormEps()));
        } else {
            intermediateQuery = null;
            outputQuery = null;
        }
    }

    /** Plain encoder layer (no queries, no cross-attention). */
    public NDArray forward(NDArray hidden, NDArray selfMask) {
        return forward(hidden, selfMask, null, null, 0);
    }

    /**
     * @param hidden (B, L, H)
     * @param selfMask additive self-attention mask, broadcastable to (B, heads, L, L)
     * @param encoderHidden (B, Lk, encoderWidth) for cross-attention layers, or null
     * @param encoderMask additive mask for the cross-attention keys, or null
     * @param queryLength number of leading query positions (0 for a plain text encoder)
     */
    public NDArray forward(NDArray hidden, NDArray selfMask, NDArray encoderHidden, NDArray encoderMask,
            int queryLength) {
        NDArray attended = attention.forward(hidden, null, selfMask);
        long length = attended.getShape().get(1);
        if (output == null && length > Math.max(queryLength, 0)) {
            throw new IllegalStateException("this layer has no text FFN (query-only Q-Former) but got "
                    + (length - Math.max(queryLength, 0)) + " text positions");
        }
        if (queryLength <= 0) {
            return feedForward(attended, intermediate, output);
        }
        if (outputQuery == null) {
            throw new IllegalStateException("queryLength > 0 needs a config with queryFeedForward");
        }
        NDArray queries = attended.get(new NDIndex(":, :{}", queryLength));
        if (crossAttention != null) {
            if (encoderHidden == null) {
                throw new IllegalArgumentException("cross-attention layer needs encoder hidden states");
            }
            queries = crossAttention.forward(queries, encoderHidden, encoderMask);
        }
        NDArray out = feedForward(queries, intermediateQuery, outputQuery);
        if (length > queryLength) {
            NDArray text = attended.get(new NDIndex(":, {}:", queryLength));
            out = out.concat(feedForward(text, intermediate, output), 1);
        }
        return out;
    }

    private NDArray feedForward(NDArray x, Dense inner, BertAttention.Output out) {
        return out.forward(Functional.gelu(inner.forward(x)), x, config.hiddenDropout());
    }

}
