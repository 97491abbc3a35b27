package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Additive attention masks: 0 where a query may attend to a key, {@link #BLOCKED} where it may not. All masks
 * are FLOAT32 and broadcast against attention scores of shape (B, heads, Lq, Lk); they are combined with
 * {@link #combine} (element-wise minimum, so two blocked entries never overflow to -inf).
 *
 * <p>Besides padding and causal masks this builds BLIP-2's three Q-Former masks over a sequence of Q query
 * tokens followed by T text tokens (LAVIS {@code Blip2Qformer}): uni-modal (ITC), bidirectional (ITM) and
 * multimodal-causal (ITG).
 */
public final class Masks {

    /** The additive value of a blocked entry: the most negative float, as HF's {@code finfo(float32).min}. */
    public static final float BLOCKED = -Float.MAX_VALUE;

    private Masks() {}

    /** Key-padding mask from a (B, Lk) 0/1 attention mask: shape (B, 1, 1, Lk). */
    public static NDArray padding(NDArray attentionMask) {
        checkMask(attentionMask);
        Shape s = attentionMask.getShape();
        return attentionMask.toType(DataType.FLOAT32, false).sub(1f).mul(Float.MAX_VALUE)
                .reshape(s.get(0), 1, 1, s.get(1));
    }

    /** Causal mask (key j visible to query i iff j ≤ i): shape (1, 1, L, L). */
    public static NDArray causal(NDManager manager, int length) {
        return structure(manager, length, length, (i, j) -> j <= i);
    }

    /** Causal mask combined with key padding: shape (B, 1, L, L) (OPT's decoder mask). */
    public static NDArray causalWithPadding(NDArray attentionMask) {
        checkMask(attentionMask);
        int length = (int) attentionMask.getShape().get(1);
        return combine(causal(attentionMask.getManager(), length), padding(attentionMask));
    }

    /**
     * BLIP-2 ITC mask: queries see only queries, text tokens see only (non-padded) text tokens. Shape
     * (B, 1, Q+T, Q+T); {@code textMask} is (B, T).
     */
    public static NDArray uniModal(int numQueries, NDArray textMask) {
        return queryText(numQueries, textMask, (i, j, q) -> (i < q) == (j < q));
    }

    /** BLIP-2 ITM mask: every token sees every non-padded token. Shape (B, 1, Q+T, Q+T). */
    public static NDArray bidirectional(int numQueries, NDArray textMask) {
        return queryText(numQueries, textMask, (i, j, q) -> true);
    }

    /**
     * BLIP-2 ITG mask: queries see all queries (and no text); text token i sees all queries and text tokens up
     * to itself. Shape (B, 1, Q+T, Q+T).
     */
    public static NDArray multimodalCausal(int numQueries, NDArray textMask) {
        return queryText(numQueries, textMask, (i, j, q) -> i < q ? j < q : j <= i);
    }

    /** Element-wise minimum of two additive masks (broadcasting). */
    public static NDArray combine(NDArray a, NDArray b) {
        return a.minimum(b);
    }

    private interface QueryTextRule {
        boolean visible(int i, int j, int numQueries);
    }

    private static NDArray queryText(int numQueries, NDArray textMask, QueryTextRule rule) {
        checkMask(textMask);
        long b = textMask.getShape().get(0);
        int total = numQueries + (int) textMask.getShape().get(1);
        NDManager m = textMask.getManager();
        NDArray keys = m.ones(new Shape(b, numQueries), textMask.getDataType())
                .concat(textMask, 1);
        NDArray structure = structure(m, total, total, (i, j) -> rule.visible(i, j, numQueries));
        return combine(structure, padding(keys));
    }

    private interface Rule {
        boolean visible(int i, int j);
    }

    private static NDArray structure(NDManager manager, int rows, int cols, Rule rule) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                data[i * cols + j] = rule.visible(i, j) ? 0f : BLOCKED;
            }
        }
        return HostArrays.floats(manager, new Shape(1, 1, rows, cols), data);
    }

    private static void checkMask(NDArray mask) {
        if (mask.getShape().dimension() != 2) {
            throw new IllegalArgumentException("attention mask must be (batch, length), got " + mask.getShape());
        }
    }
}
