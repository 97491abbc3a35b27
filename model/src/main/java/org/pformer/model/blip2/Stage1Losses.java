package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.random.RandomGenerator;
import org.pformer.model.nn.Functional;

/**
 * The losses of BLIP-2 stage 1 (LAVIS {@code Blip2Qformer.forward}, single process: no all-gather) and the
 * P-Former paper's alignment loss (Eq. 6), each usable and tested on its own.
 */
public final class Stage1Losses {

    /** LAVIS adds this to the softmax weights of hard-negative sampling, so no candidate has probability 0. */
    static final double NEGATIVE_WEIGHT_FLOOR = 1e-4;

    private Stage1Losses() {}

    /** ITC loss and the image→text similarity logits (B, B) it used (already divided by the temperature). */
    public record Itc(NDArray loss, NDArray simI2T) {}

    /**
     * ITC: {@code sim_i2t[i][j] = max_q <image_i,q , text_j> / temp}, {@code sim_t2i = sim_i2tᵀ}; loss = mean of
     * the two cross-entropies against the diagonal, with label smoothing.
     *
     * @param imageFeatures (B, Q, D) normalised query features
     * @param textFeatures (B, D) normalised text features
     * @param temperature the scalar temperature parameter
     */
    public static Itc itc(NDArray imageFeatures, NDArray textFeatures, NDArray temperature, double labelSmoothing) {
        NDArray simI2T = Blip2Stage1.itcSimilarity(imageFeatures, textFeatures).div(temperature);
        NDArray targets = simI2T.getManager().arange(0, (int) simI2T.getShape().get(0), 1, DataType.INT64);
        NDArray i2t = Functional.crossEntropy(simI2T, targets, labelSmoothing);
        NDArray t2i = Functional.crossEntropy(simI2T.transpose(), targets, labelSmoothing);
        return new Itc(Functional.scale(i2t.add(t2i), 0.5), simI2T);
    }

    /**
     * Which (i, j) pairs count as matching for hard-negative sampling: the pair itself, the same image, or the
     * same caption text (with unique images and captions per batch this is LAVIS's diagonal).
     */
    public static boolean[][] positives(List<String> imageIds, List<String> captions) {
        int n = imageIds.size();
        boolean[][] out = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = i == j || imageIds.get(i).equals(imageIds.get(j)) || captions.get(i).equals(captions.get(j));
            }
        }
        return out;
    }

    /** One sampled hard negative per row, and how many rows needed the uniform fallback. */
    public record HardNegatives(int[] imageForText, int[] textForImage, int fallbackRows) {}

    /**
     * ITM hard negatives (LAVIS / BLIText): for text i an image sampled from {@code softmax(sim_t2i[i]) + 1e-4}
     * with the matching images excluded, and for image i a text from {@code softmax(sim_i2t[i]) + 1e-4} likewise.
     *
     * @param simI2T (B, B) image→text similarity logits (host copy)
     * @param positive pairs that must not be drawn as negatives, see {@link #positives}
     * @param random the stage's seeded generator (so a resumed run draws the same negatives)
     */
    public static HardNegatives sampleHardNegatives(float[][] simI2T, boolean[][] positive, RandomGenerator random) {
        int n = simI2T.length;
        if (n < 2) {
            throw new IllegalArgumentException("ITM needs at least 2 pairs per batch to draw negatives, got " + n);
        }
        int[] imageForText = new int[n];
        int[] textForImage = new int[n];
        int[] fallbacks = new int[1];
        float[] column = new float[n];
        boolean[] positiveColumn = new boolean[n];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < n; i++) {
                column[i] = simI2T[i][t]; // sim_t2i[t][i]
                positiveColumn[i] = positive[i][t];
            }
            imageForText[t] = draw(negativeWeights(column, positiveColumn, t, fallbacks), random);
        }
        for (int i = 0; i < n; i++) {
            textForImage[i] = draw(negativeWeights(simI2T[i], positive[i], i, fallbacks), random);
        }
        return new HardNegatives(imageForText, textForImage, fallbacks[0]);
    }

    /**
     * Sampling weights over the candidates of one row: {@code softmax(sim) + 1e-4}, zero on matching pairs. A row
     * whose weights are not finite or sum to 0 (NaN similarities, every candidate excluded) falls back to uniform
     * over the non-matching candidates, or — when every other pair matches — over all but the row itself.
     */
    static double[] negativeWeights(float[] sim, boolean[] positive, int self, int[] fallbacks) {
        int n = sim.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float s : sim) {
            max = Math.max(max, s);
        }
        double z = 0;
        for (float s : sim) {
            z += Math.exp(s - max);
        }
        double[] w = new double[n];
        double total = 0;
        for (int j = 0; j < n; j++) {
            w[j] = positive[j] || j == self ? 0 : Math.exp(sim[j] - max) / z + NEGATIVE_WEIGHT_FLOOR;
            total += w[j];
        }
        if (Double.isFinite(total) && total > 0) {
            return w;
        }
        fallbacks[0]++;
        boolean anyNegative = false;
        for (int j = 0; j < n; j++) {
            anyNegative |= !positive[j] && j != self;
        }
        for (int j = 0; j < n; j++) {
            w[j] = j == self || (anyNegative && positive[j]) ? 0 : 1;
        }
        return w;
    }

    /** An index drawn with probability proportional to {@code weights} (all finite, not all zero). */
    static int draw(double[] weights, RandomGenerator random) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double r = random.nextDouble() * total;
        int last = -1;
        for (int j = 0; j < weights.length; j++) {
            if (weights[j] > 0) {
                last = j;
                r -= weights[j];
                if (r < 0) {
                    return j;
                }
            }
        }
        return last;
    }

    /**
     * ITM: cross-entropy of the (3B, 2) logits of the pairs [positive ; (text, negative image) ; (negative text,
     * image)] against labels 1 for the first B rows and 0 for the rest.
     */
    public static NDArray itmLoss(NDArray logits) {
        int rows = (int) logits.getShape().get(0);
        if (rows % 3 != 0) {
            throw new IllegalArgumentException("ITM logits need 3B rows (positive, negative image, negative text), got "
                    + rows);
        }
        long[] labels = new long[rows];
        java.util.Arrays.fill(labels, 0, rows / 3, 1);
        return Functional.crossEntropy(logits, logits.getManager().create(labels), 0);
    }

    /**
     * ITG: next-token cross-entropy of the Q-Former's LM logits (B, T, V) over text that starts with [DEC] and is
     * otherwise the caption; padding ({@code -100} labels) ignored; label smoothing as LAVIS (0.1).
     */
    public static NDArray itgLoss(NDArray logits, NDArray labels, double labelSmoothing) {
        return Functional.nextTokenLoss(logits, labels, labelSmoothing);
    }

    /**
     * L_align (P-Former paper Eq. 6): plain mean squared error over all elements between the projected query
     * outputs and the frozen P-Former's prompt (which carries no gradient).
     */
    public static NDArray alignmentLoss(NDArray prediction, NDArray target) {
        if (!prediction.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("alignment prediction " + prediction.getShape()
                    + " and P-Former target " + target.getShape() + " differ in shape");
        }
        return prediction.sub(target.stopGradient()).square().mean();
    }
}
