package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Scaled dot-product multi-head attention on already projected queries, keys and values. */
public final class Attention {

    private Attention() {}

    /**
     * {@code softmax(q k^T · scale + mask) v} per head.
     *
     * @param q (B, Lq, H) projected queries
     * @param k (B, Lk, H) projected keys
     * @param v (B, Lk, H) projected values
     * @param additiveMask broadcastable to (B, heads, Lq, Lk), or null
     * @param heads number of heads (H divisible by it)
     * @param scale score scale (1/sqrt(head_dim) for standard attention; 1 if q is pre-scaled, as in OPT)
     * @param probsDropout dropout on the attention probabilities (training only)
     * @param training whether dropout is active
     * @return (B, Lq, H) context, in q's data type; scores and softmax are computed in FLOAT32
     */
    public static NDArray scaledDotProduct(
            NDArray q, NDArray k, NDArray v, NDArray additiveMask, int heads, double scale,
            double probsDropout, boolean training) {
        Shape qs = q.getShape();
        long b = qs.get(0);
        long lq = qs.get(1);
        long hidden = qs.get(2);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + " not divisible by " + heads + " heads");
        }
        long headDim = hidden / heads;
        NDArray qh = splitHeads(q, heads, headDim);
        NDArray kh = splitHeads(k, heads, headDim);
        NDArray vh = splitHeads(v, heads, headDim);
        NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2));
        DataType compute = scores.getDataType();
        scores = scores.toType(DataType.FLOAT32, false);
        if (scale != 1.0) {
            scores = Functional.scale(scores, scale);
        }
        if (additiveMask != null) {
            scores = scores.add(additiveMask);
        }
        NDArray probs = scores.softmax(-1);
        probs = Functional.dropout(probs, probsDropout, training).toType(compute, false);
        NDArray context = probs.matMul(vh); // (B, heads, Lq, d)
        return context.transpose(0, 2, 1, 3).reshape(b, lq, hidden);
    }

    private static NDArray splitHeads(NDArray x, int heads, long headDim) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
    }
}
