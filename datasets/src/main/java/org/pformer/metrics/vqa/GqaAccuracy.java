package org.pformer.metrics.vqa;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GQA accuracy: exact match after {@link VqaAnswerNormalizer#normalize}. LAVIS normalises only the prediction; here
 * the ground truth is normalised too, which changes nothing for GQA's own answers (already in normal form) and
 * keeps "two" against "2" from failing on data that is not.
 */
public final class GqaAccuracy {
    private GqaAccuracy() {
    }

    /**
     * @param predictions question id to predicted answer
     * @param answers     question id to the ground-truth answer; predictions must cover exactly these questions
     */
    public static GqaReport score(Map<String, String> predictions, Map<String, String> answers) {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("no GQA questions to score against");
        }
        for (String q : predictions.keySet()) {
            if (!answers.containsKey(q)) {
                throw new IllegalArgumentException("prediction for question '" + q + "' has no ground-truth answer");
            }
        }
        Map<String, Boolean> correct = new LinkedHashMap<>();
        int hits = 0;
        for (Map.Entry<String, String> e : answers.entrySet()) {
            String p = predictions.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("question '" + e.getKey() + "' has no prediction");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("question '" + e.getKey() + "' has no ground-truth answer");
            }
            boolean hit = VqaAnswerNormalizer.normalize(p).equals(VqaAnswerNormalizer.normalize(e.getValue()));
            correct.put(e.getKey(), hit);
            hits += hit ? 1 : 0;
        }
        return new GqaReport(answers.size(), 100.0 * hits / answers.size(), correct);
    }
}
