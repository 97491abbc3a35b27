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
     * The indices of the {@code k} highest scores, highest first; equal scores in increasing index order. A
     * bounded heap keeps it O(n log k) without boxing, for rows of 25k candidates.
     *
     * @throws IllegalArgumentException on a NaN score or k outside 1..scores.length
     */
    public static int[] topK(float[] scores, int k) {
        if (k < 1 || k > scores.length) {
            throw new IllegalArgumentException("k must be in 1.." + scores.length + ", got " + k);
        }
        int[] heap = new int[k]; // min-heap by rank order: the root is the worst candidate kept so far
        int size = 0;
        for (int c = 0; c < scores.length; c++) {
            if (Float.isNaN(scores[c])) {
                throw new IllegalArgumentException("score of candidate " + c + " is NaN");
            }
            if (size < k) {
                heap[size] = c;
                siftUp(heap, size++, scores);
            } else if (before(c, heap[0], scores)) {
                heap[0] = c;
                siftDown(heap, size, scores);
            }
        }
        int[] out = new int[k];
        for (int i = k - 1; i >= 0; i--) { // pop worst first
            out[i] = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, scores);
        }
        return out;
    }

    /** Whether candidate a ranks before b: higher score, or equal score and lower index. */
    private static boolean before(int a, int b, float[] scores) {
        return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); // NaN excluded; -0 == 0 as for ranks
    }

    private static void siftUp(int[] heap, int i, float[] scores) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!before(heap[parent], heap[i], scores)) {
                return;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, float[] scores) {
        int i = 0;
        while (true) {
            int worst = i;
            for (int child = 2 * i + 1; child <= 2 * i + 2 && child < size; child++) {
                if (before(heap[worst], heap[child], scores)) {
                    worst = child;
                }
            }
            if (worst == i) {
                return;
            }
            swap(heap, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
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
