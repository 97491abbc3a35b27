package org.pformer.model.foundation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot retrieval recall of a dual encoder on held-out image-caption pairs, both directions, over the distinct
 * images (by id) and all texts. A retrieved item is correct when it is a ground truth of the query ({@link
 * GroundTruth}); image→text counts the best rank among the image's ground-truth texts, as the paper's protocol.
 *
 * @param images distinct images
 * @param texts texts (one per pair)
 * @param imageToTextR1 fraction of images whose top-ranked text describes them
 * @param imageToTextR5 … within the top 5
 * @param imageToTextR10 … within the top 10
 * @param textToImageR1 fraction of texts whose top-ranked image they describe
 * @param textToImageR5 … within the top 5
 * @param textToImageR10 … within the top 10
 * @param imageToTextChanceR1 expected image→text R@1 of a random ranking (mean fraction of ground-truth texts)
 */
public record RetrievalReport(int images, int texts, double imageToTextR1, double imageToTextR5,
                              double imageToTextR10, double textToImageR1, double textToImageR5,
                              double textToImageR10, double imageToTextChanceR1) {

    private static final int[] KS = {1, 5, 10};

    /**
     * The report for a row-major (I, T) similarity matrix between distinct images {@code imageOrder} (ids) and the
     * texts of {@code pairImageIds} / {@code pairCaptions} (one text per pair, in pair order).
     */
    public static RetrievalReport fromSimilarities(float[] similarity, List<String> imageOrder,
            List<String> pairImageIds, List<String> pairCaptions) {
        GroundTruth truth = new GroundTruth(pairImageIds, pairCaptions);
        int ni = imageOrder.size();
        int nt = truth.size();
        if (ni == 0 || nt == 0 || similarity.length != (long) ni * nt) {
            throw new IllegalArgumentException("retrieval needs I images, T texts and I*T similarities; got " + ni
                    + ", " + nt + ", " + similarity.length);
        }
        boolean[] positive = new boolean[ni * nt];
        double chance = 0;
        for (int i = 0; i < ni; i++) {
            int count = 0;
            for (int t = 0; t < nt; t++) {
                positive[i * nt + t] = truth.describes(t, imageOrder.get(i));
                count += positive[i * nt + t] ? 1 : 0;
            }
            if (count == 0) {
                throw new IllegalArgumentException("image '" + imageOrder.get(i) + "' has no text among the pairs");
            }
            chance += (double) count / nt;
        }
        double[] i2t = new double[KS.length];
        double[] t2i = new double[KS.length];
        for (int i = 0; i < ni; i++) {
            count(i2t, bestPositiveRank(similarity, positive, i * nt, 1, nt));
        }
        for (int t = 0; t < nt; t++) {
            count(t2i, bestPositiveRank(similarity, positive, t, nt, ni));
        }
        return new RetrievalReport(ni, nt, i2t[0] / ni, i2t[1] / ni, i2t[2] / ni, t2i[0] / nt, t2i[1] / nt,
                t2i[2] / nt, chance / ni);
    }

    private static void count(double[] hits, int rank) {
        for (int k = 0; k < KS.length; k++) {
            hits[k] += rank < KS[k] ? 1 : 0;
        }
    }

    /**
     * 0-based rank of the best-scoring positive among the {@code n} candidates at {@code offset + c·stride}: the
     * number of negatives scoring at least as high (ties count against the query, so a constant score is never
     * rewarded).
     */
    private static int bestPositiveRank(float[] s, boolean[] positive, int offset, int stride, int n) {
        float best = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            int k = offset + c * stride;
            if (positive[k]) {
                best = Math.max(best, s[k]);
            }
        }
        int rank = 0;
        for (int c = 0; c < n; c++) {
            int k = offset + c * stride;
            if (!positive[k] && s[k] >= best) {
                rank++;
            }
        }
        return rank;
    }

    /** The figures as metric names ({@code <prefix>i2t_r1}, …, {@code <prefix>i2t_chance_r1}). */
    public Map<String, Double> asMetrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "i2t_r1", imageToTextR1);
        m.put(prefix + "i2t_r5", imageToTextR5);
        m.put(prefix + "i2t_r10", imageToTextR10);
        m.put(prefix + "t2i_r1", textToImageR1);
        m.put(prefix + "t2i_r5", textToImageR5);
        m.put(prefix + "t2i_r10", textToImageR10);
        m.put(prefix + "i2t_chance_r1", imageToTextChanceR1);
        return m;
    }
}
