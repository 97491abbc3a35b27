package org.pformer.model.opt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** OPT position ids derived from the attention mask, as HF's {@code OPTLearnedPositionalEmbedding}. */
public final class OptPositions {

    private OptPositions() {}

    /**
     * {@code (cumsum(mask) · mask) − 1 + 2}: the first real token gets index 2 whatever the left padding, and
     * padded positions get index 1.
     *
     * @param attentionMask (B, L) 0/1 mask
     * @return (B, L) INT64 indices into the position table
     */
    public static NDArray fromAttentionMask(NDArray attentionMask) {
        NDArray mask = attentionMask.toType(DataType.INT64, false);
        return mask.cumSum(1).mul(mask).sub(1).add(OptConfig.POSITION_OFFSET);
    }
}
