package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;

/** ITC against a hand computation, hard-negative sampling (exclusion, distribution, guards), ITM, ITG, L_align. */
class Stage1LossesTest extends ManagedTest {

    @Test
    void itcIsTheSmoothedSymmetricCrossEntropyOfMaxOverQueriesSimilarities() {
        // B = 3 images with Q = 2 query features, 3 texts, D = 2 (unit vectors)
        float[][][] img = {{{1, 0}, {0, 1}}, {{0.6f, 0.8f}, {-1, 0}}, {{0, -1}, {0.8f, -0.6f}}};
        float[][] txt = {{1, 0}, {0, 1}, {0.6f, -0.8f}};
        double temp = 0.2;
        double eps = 0.1;
        NDArray imageFeatures = manager.create(flatten(img), new Shape(3, 2, 2));
        NDArray textFeatures = manager.create(flatten2(txt), new Shape(3, 2));
        Stage1Losses.Itc itc = Stage1Losses.itc(imageFeatures, textFeatures, manager.create((float) temp), eps);

        double[][] sim = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double best = Double.NEGATIVE_INFINITY;
                for (float[] query : img[i]) {
                    best = Math.max(best, query[0] * txt[j][0] + query[1] * txt[j][1]);
                }
                sim[i][j] = best / temp;
            }
        }
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            double[] row = sim[i];
            double[] col = {sim[0][i], sim[1][i], sim[2][i]};
            expected += smoothedCe(row, i, eps) + smoothedCe(col, i, eps);
        }
        expected /= 2 * 3;
        assertThat(itc.loss().getFloat()).isCloseTo((float) expected, within(1e-5f));
        assertThat(itc.simI2T().get(1, 0).getFloat()).isCloseTo((float) sim[1][0], within(1e-5f));
    }

    private static double smoothedCe(double[] logits, int target, double eps) {
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double z = java.util.Arrays.stream(logits).map(l -> Math.exp(l - max)).sum();
        double nll = -(logits[target] - max - Math.log(z));
        double uniform = 0;
        for (double l : logits) {
            uniform += -(l - max - Math.log(z));
        }
        return (1 - eps) * nll + eps * uniform / logits.length;
    }

    @Test
    void hardNegativesNeverMatchTheirRowAndFollowTheSimilaritySoftmax() {
        // images 0 and 3 are the same picture; captions 1 and 4 are the same text
        List<String> imageIds = List.of("a", "b", "c", "a", "e", "f");
        List<String> captions = List.of("x", "y", "z", "w", "y", "v");
        boolean[][] positive = Stage1Losses.positives(imageIds, captions);
        assertThat(positive[0][3]).isTrue();
        assertThat(positive[4][1]).isTrue();
        assertThat(positive[0][1]).isFalse();
        SplittableRandom random = new SplittableRandom(3);
        int[][] drawnForText = new int[6][6];
        for (int trial = 0; trial < 400; trial++) {
            float[][] sim = new float[6][6];
            for (float[] row : sim) {
                for (int j = 0; j < 6; j++) {
                    row[j] = (float) random.nextGaussian() * 3;
                }
            }
            Stage1Losses.HardNegatives neg = Stage1Losses.sampleHardNegatives(sim, positive, random);
            assertThat(neg.fallbackRows()).isZero();
            for (int i = 0; i < 6; i++) {
                assertThat(positive[neg.imageForText()[i]][i]).as("image drawn for text %d", i).isFalse();
                assertThat(positive[i][neg.textForImage()[i]]).as("text drawn for image %d", i).isFalse();
                drawnForText[i][neg.imageForText()[i]]++;
            }
        }
        // every allowed candidate is drawn at some point (the 1e-4 floor keeps them all possible)
        assertThat(drawnForText[0][1]).isPositive();
        assertThat(drawnForText[0][3]).isZero();

        // a much more similar candidate is drawn far more often: softmax weights
        float[][] sim = new float[4][4];
        sim[2][0] = 6; // text 0 is very similar to image 2
        boolean[][] diagonal = Stage1Losses.positives(List.of("1", "2", "3", "4"), List.of("p", "q", "r", "s"));
        int hits = 0;
        for (int trial = 0; trial < 1000; trial++) {
            hits += Stage1Losses.sampleHardNegatives(sim, diagonal, random).imageForText()[0] == 2 ? 1 : 0;
        }
        double p = Math.exp(6) / (Math.exp(6) + 2); // softmax over images 1, 2, 3 (image 0 excluded)
        assertThat(hits / 1000.0).isCloseTo(p, within(0.03));
    }

    @Test
    void sampledNegativesDependOnlyOnTheSeed() {
        float[][] sim = {{1, 2, 0}, {0.5f, 1, 3}, {2, 0, 1}};
        boolean[][] positive = Stage1Losses.positives(List.of("a", "b", "c"), List.of("x", "y", "z"));
        Stage1Losses.HardNegatives a = Stage1Losses.sampleHardNegatives(sim, positive, new SplittableRandom(9));
        Stage1Losses.HardNegatives b = Stage1Losses.sampleHardNegatives(sim, positive, new SplittableRandom(9));
        assertThat(a.imageForText()).containsExactly(b.imageForText());
        assertThat(a.textForImage()).containsExactly(b.textForImage());
    }

    @Test
    void nanInfiniteAndAllMatchingRowsFallBackToUniformOverWhatIsAllowed() {
        boolean[][] diagonal = Stage1Losses.positives(List.of("1", "2", "3", "4"), List.of("p", "q", "r", "s"));
        float nan = Float.NaN;
        float[][] broken = {{nan, nan, nan, nan}, {0, 0, 0, 0}, {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, {Float.POSITIVE_INFINITY, 0, 0, 0}};
        SplittableRandom random = new SplittableRandom(4);
        int[] drawnForImage0 = new int[4];
        for (int trial = 0; trial < 300; trial++) {
            Stage1Losses.HardNegatives neg = Stage1Losses.sampleHardNegatives(broken, diagonal, random);
            // image rows 0 (NaN), 2 (-inf) and 3 (+inf) and the text columns they poison fall back
            assertThat(neg.fallbackRows()).isPositive();
            for (int i = 0; i < 4; i++) {
                assertThat(neg.textForImage()[i]).isNotEqualTo(i);
                assertThat(neg.imageForText()[i]).isNotEqualTo(i);
            }
            drawnForImage0[neg.textForImage()[0]]++;
        }
        assertThat(drawnForImage0[0]).isZero();
        for (int j = 1; j < 4; j++) {
            assertThat(drawnForImage0[j]).as("uniform fallback, text %d", j).isBetween(60, 140);
        }

        // every pair in the batch shows the same image: no true negative exists, so any other row is taken
        boolean[][] allSame = Stage1Losses.positives(List.of("a", "a", "a"), List.of("x", "y", "z"));
        Stage1Losses.HardNegatives neg = Stage1Losses.sampleHardNegatives(new float[3][3], allSame, random);
        assertThat(neg.fallbackRows()).isEqualTo(6);
        for (int i = 0; i < 3; i++) {
            assertThat(neg.imageForText()[i]).isNotEqualTo(i).isBetween(0, 2);
        }
        assertThatThrownBy(() -> Stage1Losses.sampleHardNegatives(new float[1][1], new boolean[1][1], random))
                .hasMessageContaining("at least 2 pairs");
    }

    @Test
    void itmItgAndAlignmentLosses() {
        // 3B rows: the first B positive; confident right answers give a small loss, wrong ones a large one
        NDArray right = manager.create(new float[] {-5, 5, 5, -5, 5, -5}, new Shape(3, 2));
        NDArray wrong = manager.create(new float[] {5, -5, -5, 5, -5, 5}, new Shape(3, 2));
        assertThat(Stage1Losses.itmLoss(right).getFloat()).isLessThan(1e-3f);
        assertThat(Stage1Losses.itmLoss(wrong).getFloat()).isGreaterThan(9f);
        assertThatThrownBy(() -> Stage1Losses.itmLoss(manager.zeros(new Shape(4, 2)))).hasMessageContaining("3B rows");

        // ITG: uniform logits over V give log V whatever the smoothing; padding (-100) is ignored
        NDArray logits = manager.zeros(new Shape(1, 3, 5));
        NDArray labels = manager.create(new long[][] {{3, 4, -100}});
        assertThat(Stage1Losses.itgLoss(logits, labels, 0.1).getFloat()).isCloseTo((float) Math.log(5), within(1e-5f));

        NDArray prediction = manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2));
        NDArray target = manager.create(new float[] {1, 0, 3, 0}, new Shape(1, 2, 2));
        assertThat(Stage1Losses.alignmentLoss(prediction, target).getFloat()).isCloseTo((4f + 16f) / 4, within(1e-6f));
        assertThatThrownBy(() -> Stage1Losses.alignmentLoss(prediction, manager.zeros(new Shape(1, 2, 3))))
                .hasMessageContaining("differ in shape");
    }

    private static float[] flatten(float[][][] x) {
        float[] out = new float[x.length * x[0].length * x[0][0].length];
        int k = 0;
        for (float[][] a : x) {
            for (float[] b : a) {
                for (float v : b) {
                    out[k++] = v;
                }
            }
        }
        return out;
    }

    private static float[] flatten2(float[][] x) {
        float[] out = new float[x.length * x[0].length];
        int k = 0;
        for (float[] a : x) {
            for (float v : a) {
                out[k++] = v;
            }
        }
        return out;
    }
}
