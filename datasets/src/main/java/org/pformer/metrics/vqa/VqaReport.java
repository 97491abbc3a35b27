package org.pformer.metrics.vqa;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * VQA accuracy in percent, as the official evaluator reports it ({@code accuracy['overall']},
 * {@code ['perQuestionType']}, {@code ['perAnswerType']}, {@code evalQA}) but unrounded; {@link #rounded()} gives
 * the evaluator's two-decimal figures.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VqaReport(VqaAccuracy.Variant variant, int questions, double overall,
        Map<String, Double> perQuestionType, Map<String, Double> perAnswerType, Map<Long, Double> perQuestion) {

    public VqaReport {
        perQuestionType = Collections.unmodifiableMap(new LinkedHashMap<>(perQuestionType));
        perAnswerType = Collections.unmodifiableMap(new LinkedHashMap<>(perAnswerType));
        perQuestion = Collections.unmodifiableMap(new LinkedHashMap<>(perQuestion));
    }

    /** Every figure rounded as the evaluator's {@code round(x, 2)} does (exact binary value, half to even). */
    public VqaReport rounded() {
        return new VqaReport(variant, questions, round2(overall), roundAll(perQuestionType), roundAll(perAnswerType),
                roundAll(perQuestion));
    }

    static double round2(double x) {
        return new BigDecimal(x).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static <K> Map<K, Double> roundAll(Map<K, Double> m) {
        Map<K, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, round2(v)));
        return out;
    }
}
