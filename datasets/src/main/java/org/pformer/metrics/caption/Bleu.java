package org.pformer.metrics.caption;

import java.util.ArrayList;
import java.util.List;

/**
 * BLEU-1..4 as pycocoevalcap's {@code BleuScorer.compute_score(option='closest')} computes them: clipped n-gram
 * matches against the per-n-gram maximum over the references, the effective reference length of each image is the
 * reference length closest to the prediction's (the shorter one on a tie), the corpus score pools matches, guesses
 * and lengths over all images; per-image scores add the reference's smoothing ({@code tiny = 1e-15} to matches,
 * {@code small = 1e-9} to guesses) and both apply the brevity penalty {@code exp(1 - r/c)} only when c < r.
 */
final class Bleu {
    private static final double TINY = 1e-15;
    private static final double SMALL = 1e-9;
    private static final CaptionMetric[] METRICS = {
        CaptionMetric.BLEU_1, CaptionMetric.BLEU_2, CaptionMetric.BLEU_3, CaptionMetric.BLEU_4};

    private Bleu() {
    }

    static List<MetricScores> score(List<NgramTable.Counts> predictions, List<NgramTable.Counts[]> references,
            int ngramCount) {
        int n = NgramTable.MAX_ORDER;
        int images = predictions.size();
        double[][] perImage = new double[n][images];
        long[] totalCorrect = new long[n];
        long[] totalGuess = new long[n];
        long totalTestLen = 0;
        long totalRefLen = 0;
        int[] maxRefCount = new int[ngramCount + 1];
        for (int img = 0; img < images; img++) {
            NgramTable.Counts hyp = predictions.get(img);
            NgramTable.Counts[] refs = references.get(img);
            for (NgramTable.Counts ref : refs) {
                for (int k = 0; k < n; k++) {
                    int[] ids = ref.ids()[k];
                    int[] counts = ref.counts()[k];
                    for (int j = 0; j < ids.length; j++) {
                        maxRefCount[ids[j]] = Math.max(maxRefCount[ids[j]], counts[j]);
                    }
                }
            }
            long[] correct = new long[n];
            long[] guess = new long[n];
            for (int k = 0; k < n; k++) {
                int[] ids = hyp.ids()[k];
                int[] counts = hyp.counts()[k];
                for (int j = 0; j < ids.length; j++) {
                    correct[k] += Math.min(maxRefCount[ids[j]], counts[j]);
                }
                guess[k] = hyp.total(k + 1);
                totalCorrect[k] += correct[k];
                totalGuess[k] += guess[k];
            }
            for (NgramTable.Counts ref : refs) {
                for (int k = 0; k < n; k++) {
                    for (int id : ref.ids()[k]) {
                        maxRefCount[id] = 0;
                    }
                }
            }
            int testLen = hyp.words();
            int refLen = closestRefLength(refs, testLen);
            totalTestLen += testLen;
            totalRefLen += refLen;
            double[] bleu = cumulative(correct, guess, testLen, refLen);
            for (int k = 0; k < n; k++) {
                perImage[k][img] = bleu[k];
            }
        }
        double[] corpus = cumulative(totalCorrect, totalGuess, totalTestLen, totalRefLen);
        List<MetricScores> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(new MetricScores(METRICS[k], corpus[k], perImage[k]));
        }
        return out;
    }

    /** {@code min((abs(l - testlen), l) for l in reflens)[1]}. */
    private static int closestRefLength(NgramTable.Counts[] refs, int testLen) {
        int best = -1;
        for (NgramTable.Counts ref : refs) {
            int l = ref.words();
            if (best < 0 || Math.abs(l - testLen) < Math.abs(best - testLen)
                    || Math.abs(l - testLen) == Math.abs(best - testLen) && l < best) {
                best = l;
            }
        }
        return best;
    }

    /** BLEU-1..n from (smoothed) modified precisions: geometric means of the running product, then the BP. */
    private static double[] cumulative(long[] correct, long[] guess, double testLen, double refLen) {
        int n = correct.length;
        double[] out = new double[n];
        double product = 1.0;
        for (int k = 0; k < n; k++) {
            product *= (correct[k] + TINY) / (guess[k] + SMALL);
            out[k] = Math.pow(product, 1.0 / (k + 1));
        }
        double ratio = (testLen + TINY) / (refLen + SMALL);
        if (ratio < 1) {
            double penalty = Math.exp(1 - 1 / ratio);
            for (int k = 0; k < n; k++) {
                out[k] *= penalty;
            }
        }
        return out;
    }
}
