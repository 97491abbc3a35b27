package org.pformer.metrics.caption;

import java.util.List;
import java.util.stream.IntStream;

/**
 * CIDEr-D as pycocoevalcap's {@code CiderScorer} computes it (the evaluator's "CIDEr"): per n-gram order 1..4,
 * tf-idf vectors with {@code idf = log(#images) - log(max(1, df))} where df counts the images whose references
 * contain the n-gram (so document frequencies come from the reference set being scored); the similarity to each
 * reference is the clipped dot product {@code sum min(h, r) * r / (|h| |r|)} times the length penalty
 * {@code exp(-delta^2 / (2 sigma^2))}, sigma = 6, where delta is the difference of the BIGRAM counts (the
 * reference's {@code length} only counts n == 1, i.e. bigrams); the image score is the mean over orders, averaged
 * over references and multiplied by 10; the corpus score is the mean over images.
 */
final class CiderD {
    /** The evaluator's sigma of the Gaussian length penalty. */
    static final double SIGMA = 6.0;
    private static final int N = NgramTable.MAX_ORDER;
    private static final int PARALLEL_THRESHOLD = 256;

    private CiderD() {
    }

    static MetricScores score(List<NgramTable.Counts> predictions, List<NgramTable.Counts[]> references,
            int ngramCount) {
        int images = predictions.size();
        double[] idf = inverseDocumentFrequencies(references, ngramCount);
        double[] perImage = new double[images];
        IntStream range = IntStream.range(0, images);
        (images >= PARALLEL_THRESHOLD ? range.parallel() : range).forEach(img -> {
            NgramTable.Counts[] refs = references.get(img);
            Vector hyp = new Vector(predictions.get(img), idf);
            double[] sum = new double[N];
            for (NgramTable.Counts ref : refs) {
                Vector r = new Vector(ref, idf);
                double delta = hyp.length - r.length;
                double penalty = Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
                for (int k = 0; k < N; k++) {
                    double val = hyp.clippedDot(r, k);
                    if (hyp.norm[k] != 0 && r.norm[k] != 0) {
                        val /= hyp.norm[k] * r.norm[k];
                    }
                    sum[k] += val * penalty;
                }
            }
            double mean = 0;
            for (int k = 0; k < N; k++) {
                mean += sum[k];
            }
            perImage[img] = mean / N / refs.length * 10.0;
        });
        double corpus = 0;
        for (double s : perImage) {
            corpus += s;
        }
        return new MetricScores(CaptionMetric.CIDER, images == 0 ? Double.NaN : corpus / images, perImage);
    }

    /** {@code log(#images) - log(max(1, df))} per n-gram id. */
    private static double[] inverseDocumentFrequencies(List<NgramTable.Counts[]> references, int ngramCount) {
        int[] df = new int[ngramCount + 1];
        int[] lastImage = new int[ngramCount + 1];
        for (int img = 0; img < references.size(); img++) {
            for (NgramTable.Counts ref : references.get(img)) {
                for (int[] ids : ref.ids()) {
                    for (int id : ids) {
                        if (lastImage[id] != img + 1) {
                            lastImage[id] = img + 1;
                            df[id]++;
                        }
                    }
                }
            }
        }
        double refLen = Math.log(references.size());
        double[] idf = new double[ngramCount + 1];
        for (int id = 1; id <= ngramCount; id++) {
            idf[id] = refLen - Math.log(Math.max(1.0, df[id]));
        }
        return idf;
    }

    /** One sentence's tf-idf weights per order (ids ascending), their norms and its bigram count. */
    private static final class Vector {
        final int[][] ids;
        final double[][] weights = new double[N][];
        final double[] norm = new double[N];
        final int length;

        Vector(NgramTable.Counts counts, double[] idf) {
            ids = counts.ids();
            for (int k = 0; k < N; k++) {
                int[] c = counts.counts()[k];
                double[] w = new double[c.length];
                double sq = 0;
                for (int j = 0; j < c.length; j++) {
                    w[j] = c[j] * idf[ids[k][j]];
                    sq += w[j] * w[j];
                }
                weights[k] = w;
                norm[k] = Math.sqrt(sq);
            }
            length = counts.total(2);
        }

        /** {@code sum over this vector's n-grams of min(this, other) * other} (0 where other lacks the n-gram). */
        double clippedDot(Vector other, int k) {
            int[] a = ids[k];
            int[] b = other.ids[k];
            double[] wa = weights[k];
            double[] wb = other.weights[k];
            double val = 0;
            for (int i = 0, j = 0; i < a.length && j < b.length; ) {
                if (a[i] < b[j]) {
                    i++;
                } else if (a[i] > b[j]) {
                    j++;
                } else {
                    val += Math.min(wa[i], wb[j]) * wb[j];
                    i++;
                    j++;
                }
            }
            return val;
        }
    }
}
