package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import org.pformer.model.nn.Masks;

/**
 * The three self-attention masks of BLIP-2 stage 1 over Q query tokens followed by T text tokens (paper §3.1 of
 * BLIP-2; LAVIS {@code Blip2Qformer.forward}); padded text keys are blocked in all three.
 */
public enum QueryTextMask {
    /** ITC: queries see only queries, text sees only text. */
    UNI_MODAL,
    /** ITM: every token sees every token. */
    BIDIRECTIONAL,
    /** ITG: queries see only queries; text token i sees all queries and text tokens 0..i. */
    MULTIMODAL_CAUSAL;

    /** The additive mask (B, 1, Q+T, Q+T) for {@code numQuery} queries and a (B, T) 0/1 text mask. */
    public NDArray build(int numQuery, NDArray textMask) {
        return switch (this) {
            case UNI_MODAL -> Masks.uniModal(numQuery, textMask);
            case BIDIRECTIONAL -> Masks.bidirectional(numQuery, textMask);
            case MULTIMODAL_CAUSAL -> Masks.multimodalCausal(numQuery, textMask);
        };
    }
}
