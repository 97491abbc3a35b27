package org.pformer.model.eval;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pformer.metrics.retrieval.RetrievalReport;

/**
 * The report of an image–text retrieval evaluation ({@code report.json}): LAVIS's recall keys at the top level
 * ({@code txt_r1}, {@code txt_r5}, {@code txt_r10}, {@code txt_r_mean}: image→text; {@code img_r1} …
 * {@code img_r_mean}: text→image; {@code r_mean}; {@code images}, {@code texts}), in percent, plus how the
 * re-ranking ran.
 *
 * @param task {@code retrieval}
 * @param recall R@1/5/10 both ways (image→text counts the best rank among the image's captions)
 * @param kTest the configured number of candidates re-ranked by ITM
 * @param kImageToText the k used for image→text ({@code min(kTest, texts)})
 * @param kTextToImage the k used for text→image ({@code min(kTest, images)})
 * @param tieBreaking how equal scores are ordered
 */
public record RetrievalEvalReport(String task, @JsonIgnore RetrievalReport recall, int kTest, int kImageToText,
        int kTextToImage, String tieBreaking) {

    /** The documented tie-breaking rule, as written into every report. */
    public static final String TIE_BREAKING = "top-k by ITC takes the lower candidate index first among equal "
            + "scores; in the final ranking a ground truth is placed after every wrong candidate with an equal score; "
            + "candidates outside the top k score -inf";

    /** The recall figures under LAVIS's keys, written at the top level of the report. */
    @JsonAnyGetter
    public Map<String, Object> lavisKeys() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", recall.images());
        m.put("texts", recall.texts());
        m.put("txt_r1", recall.txtR1());
        m.put("txt_r5", recall.txtR5());
        m.put("txt_r10", recall.txtR10());
        m.put("txt_r_mean", recall.txtRMean());
        m.put("img_r1", recall.imgR1());
        m.put("img_r5", recall.imgR5());
        m.put("img_r10", recall.imgR10());
        m.put("img_r_mean", recall.imgRMean());
        m.put("r_mean", recall.rMean());
        return m;
    }
}
