package org.pformer.model.eval;

import java.io.IOException;
import java.util.Arrays;
import org.pformer.metrics.retrieval.RankAccumulator;

/**
 * The re-ranking step of BLIP-2 retrieval (LAVIS {@code compute_sim_matrix}), on plain arrays: for each query row
 * the top k candidates by ITC similarity are re-scored as {@code ITM positive logit + ITC cosine}; every other
 * candidate scores {@code -∞} (LAVIS fills −100), i.e. below every re-scored one.
 *
 * <p>Deterministic tie-breaking, in two places:
 * <ol>
 *   <li>top-k selection: among equal ITC scores the candidate with the lower index is taken first (PyTorch's
 *       {@code topk} leaves that order unspecified);</li>
 *   <li>ranking: {@link RankAccumulator} places the ground truth after every wrong candidate with an equal final
 *       score (a tie counts against the model), so candidates outside the top k never tie in the model's favour.</li>
 * </ol>
 */
public final class RetrievalReranking {

    /** ITM logits of (query, candidate) pairs. */
    @FunctionalInterface
    public interface PairScorer {
        /**
         * @param rows query index of each pair
         * @param columns candidate index of each pair
         * @return the positive-class ITM logit of each pair
         */
        float[] score(int[] rows, int[] columns) throws IOException;
    }

    private RetrievalReranking() {}

    /**
     * The indices of the {@code k} highest scores, highest first; equal scores in increasing index order.
     *
     * @throws IllegalArgumentException on a NaN score or k outside 1..scores.length
     */
    public static int[] topK(float[] scores, int k) {
        if (k < 1 || k > scores.length) {
            throw new IllegalArgumentException("k must be in 1.." + scores.length + ", got " + k);
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < scores.length; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score of candidate " + i + " is NaN");
            }
            order[i] = i;
        }
        // stable sort by descending score: equal scores keep increasing index order
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /**
     * Re-ranks the rows {@code firstRow ..} of one direction's ITC matrix and adds the final rows to {@code ranks}.
     * ITM is asked for at most {@code pairBatch} pairs at a time, and for at most {@code block.length × k} pairs
     * in all.
     *
     * @param itc rows of ITC similarities (queries × all candidates)
     * @param k candidates re-scored per row, capped at the number of candidates
     * @return the k actually used
     */
    public static int rerankBlock(float[][] itc, int firstRow, int k, int pairBatch, PairScorer itm,
            RankAccumulator ranks) throws IOException {
        if (itc.length == 0) {
            return 0;
        }
        if (pairBatch < 1) {
            throw new IllegalArgumentException("pairBatch must be >= 1, got " + pairBatch);
        }
        int columns = itc[0].length;
        int kUsed = Math.min(k, columns);
        int pairs = itc.length * kUsed;
        int[] rows = new int[pairs];
        int[] cols = new int[pairs];
        for (int r = 0; r < itc.length; r++) {
            if (itc[r].length != columns) {
                throw new IllegalArgumentException("row " + (firstRow + r) + " has " + itc[r].length
                        + " scores, expected " + columns);
            }
            int[] top = topK(itc[r], kUsed);
            for (int j = 0; j < kUsed; j++) {
                rows[r * kUsed + j] = firstRow + r;
                cols[r * kUsed + j] = top[j];
            }
        }
        float[] logits = new float[pairs];
        for (int from = 0; from < pairs; from += pairBatch) {
            int to = Math.min(pairs, from + pairBatch);
            float[] chunk = itm.score(Arrays.copyOfRange(rows, from, to), Arrays.copyOfRange(cols, from, to));
            if (chunk.length != to - from) {
                throw new IllegalStateException("ITM scored " + chunk.length + " pairs, expected " + (to - from));
            }
            System.arraycopy(chunk, 0, logits, from, chunk.length);
        }
        float[] row = new float[columns];
        for (int r = 0; r < itc.length; r++) {
            Arrays.fill(row, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < kUsed; j++) {
                int p = r * kUsed + j;
                row[cols[p]] = logits[p] + itc[r][cols[p]];
            }
            ranks.addRow(firstRow + r, row);
        }
        return kUsed;
    }
}
