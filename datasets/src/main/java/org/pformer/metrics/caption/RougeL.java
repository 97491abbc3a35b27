package org.pformer.metrics.caption;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pformer.metrics.PythonText;

/**
 * ROUGE-L as pycocoevalcap's {@code Rouge} computes it: tokens are {@code caption.split(" ")} (so an empty caption
 * is one empty token), LCS against every reference, P = max over references of lcs/|candidate|, R = max of
 * lcs/|reference| (taken separately), F = (1 + beta^2) P R / (R + beta^2 P) with beta = 1.2, 0 when P or R is 0;
 * the corpus score is the mean over images.
 */
final class RougeL {
    static final double BETA = 1.2;

    private RougeL() {
    }

    static MetricScores score(List<String> predictions, List<List<String>> references) {
        Map<String, Integer> vocabulary = new HashMap<>();
        double[] perImage = new double[predictions.size()];
        double sum = 0;
        for (int img = 0; img < perImage.length; img++) {
            int[] candidate = ids(predictions.get(img), vocabulary);
            double precision = 0;
            double recall = 0;
            for (String reference : references.get(img)) {
                int[] ref = ids(reference, vocabulary);
                int lcs = lcs(ref, candidate);
                precision = Math.max(precision, lcs / (double) candidate.length);
                recall = Math.max(recall, lcs / (double) ref.length);
            }
            double f = 0.0;
            if (precision != 0 && recall != 0) {
                f = ((1 + BETA * BETA) * precision * recall) / (recall + BETA * BETA * precision);
            }
            perImage[img] = f;
            sum += f;
        }
        return new MetricScores(CaptionMetric.ROUGE_L, sum / perImage.length, perImage);
    }

    private static int[] ids(String caption, Map<String, Integer> vocabulary) {
        List<String> tokens = PythonText.split(caption, ' ');
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = vocabulary.computeIfAbsent(tokens.get(i), t -> vocabulary.size());
        }
        return out;
    }

    /** Length of the longest common subsequence, two-row dynamic programme. */
    static int lcs(int[] a, int[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
