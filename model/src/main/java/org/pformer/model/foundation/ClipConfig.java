package org.pformer.model.foundation;

import java.util.Objects;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.vit.VitConfig;

/**
 * A CLIP-style dual encoder (Radford et al. 2021; HF {@code CLIPModel} semantics for the head): image tower, text
 * tower, bias-free projections into a shared space of {@code embedDim}, and a learnable {@code logit_scale} (log
 * of the inverse temperature) clamped to at most {@code logitScaleMax}.
 *
 * @param vision image tower; its [CLS] output (after the final LayerNorm) is the image representation
 * @param text text tower; its last-layer [CLS] state is the text representation
 * @param embedDim shared embedding width
 * @param logitScaleInit initial logit scale (CLIP: ln(1/0.07))
 * @param logitScaleMax clamp of the logit scale (CLIP: ln(100))
 */
public record ClipConfig(VitConfig vision, BertConfig text, int embedDim, double logitScaleInit,
                         double logitScaleMax) {

    /** CLIP's temperature: 0.07 at the start, never below 0.01. */
    public static final double LOGIT_SCALE_INIT = Math.log(1 / 0.07);
    public static final double LOGIT_SCALE_MAX = Math.log(100);

    public ClipConfig {
        Objects.requireNonNull(vision, "vision");
        Objects.requireNonNull(text, "text");
        if (embedDim <= 0) {
            throw new IllegalArgumentException("embedDim must be > 0, got " + embedDim);
        }
        if (!(logitScaleInit <= logitScaleMax)) {
            throw new IllegalArgumentException("logitScaleInit " + logitScaleInit + " exceeds logitScaleMax "
                    + logitScaleMax);
        }
        if (text.crossAttentionEvery() != 0) {
            throw new IllegalArgumentException("the CLIP text tower is a plain encoder (no cross-attention)");
        }
    }

    public static ClipConfig defaults(VitConfig vision, BertConfig text, int embedDim) {
        return new ClipConfig(vision, text, embedDim, LOGIT_SCALE_INIT, LOGIT_SCALE_MAX);
    }
}
