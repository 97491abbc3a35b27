package org.pformer.metrics.retrieval;

import java.util.Arrays;

/**
 * Ranks of the ground truth in the rows of one score matrix (rows = queries, columns = candidates), fed in row
 * blocks so that a 5k x 25k matrix never has to exist as one array.
 *
 * <p>Rank (0-based) of a query = the number of NON-ground-truth candidates whose score is greater than OR EQUAL to
 * the best ground-truth score of that row. So a query whose ground truths are several (image to text: the image's
 * captions) is ranked by its best one, and a tie with a wrong candidate counts against the model: the ground truth
 * is placed after every wrong candidate with an equal score. This is deterministic, unlike the reference's
 * {@code np.argsort(score)[::-1]} whose order among equal scores depends on numpy's unstable sort. Without ties
 * both give the same ranks. NaN scores are rejected.
 */
public final class RankAccumulator {
    private final int columns;
    private final int[][] groundTruth;
    private final int[] ranks;
    private final boolean[] seen;
    private int rowsSeen;

    /**
     * @param columns     number of candidates per row
     * @param groundTruth per row, the columns that are correct for it (at least one each)
     */
    public RankAccumulator(int columns, int[][] groundTruth) {
        if (columns <= 0) {
            throw new IllegalArgumentException("a score matrix needs at least one column, got " + columns);
        }
        this.columns = columns;
        this.groundTruth = new int[groundTruth.length][];
        for (int r = 0; r < groundTruth.length; r++) {
            int[] gt = groundTruth[r];
            if (gt == null || gt.length == 0) {
                throw new IllegalArgumentException("query " + r + " has no ground-truth candidate");
            }
            for (int c : gt) {
                if (c < 0 || c >= columns) {
                    throw new IllegalArgumentException("query " + r + " names ground-truth candidate " + c
                            + ", outside 0.." + (columns - 1));
                }
            }
            this.groundTruth[r] = gt.clone();
        }
        this.ranks = new int[groundTruth.length];
        this.seen = new boolean[groundTruth.length];
    }

    /** Adds the rows {@code firstRow .. firstRow + block.length - 1}; blocks may come in any order, once each. */
    public void addRows(int firstRow, float[][] block) {
        if (firstRow < 0 || firstRow + block.length > ranks.length) {
            throw new IllegalArgumentException("rows " + firstRow + ".." + (firstRow + block.length - 1)
                    + " are outside the matrix's 0.." + (ranks.length - 1));
        }
        for (int i = 0; i < block.length; i++) {
            addRow(firstRow + i, block[i]);
        }
    }

    /** Adds one row of scores. */
    public void addRow(int row, float[] scores) {
        if (row < 0 || row >= ranks.length) {
            throw new IllegalArgumentException("row " + row + " is outside the matrix's 0.." + (ranks.length - 1));
        }
        if (scores.length != columns) {
            throw new IllegalArgumentException("row " + row + " has " + scores.length + " scores, expected " + columns);
        }
        if (seen[row]) {
            throw new IllegalArgumentException("row " + row + " was already added");
        }
        int[] gt = groundTruth[row];
        float best = Float.NEGATIVE_INFINITY;
        for (int c : gt) {
            best = Math.max(best, scores[c]);
        }
        int ahead = 0;
        for (int c = 0; c < columns; c++) {
            float s = scores[c];
            if (Float.isNaN(s)) {
                throw new IllegalArgumentException("score at row " + row + ", column " + c + " is NaN");
            }
            if (s >= best) {
                ahead++;
            }
        }
        for (int c : gt) {
            if (scores[c] >= best) {
                ahead--; // ground truths are never counted against themselves
            }
        }
        ranks[row] = ahead;
        seen[row] = true;
        rowsSeen++;
    }

    public boolean complete() {
        return rowsSeen == ranks.length;
    }

    /** The 0-based rank of every row's best ground truth. */
    public int[] ranks() {
        requireComplete();
        return ranks.clone();
    }

    /** Percentage of rows whose best ground truth is within the top k. */
    public double recallAt(int k) {
        requireComplete();
        long hits = Arrays.stream(ranks).filter(r -> r < k).count();
        return 100.0 * hits / ranks.length;
    }

    private void requireComplete() {
        if (!complete()) {
            int missing = 0;
            while (seen[missing]) {
                missing++;
            }
            throw new IllegalStateException((ranks.length - rowsSeen) + " of " + ranks.length
                    + " rows have not been added yet, e.g. row " + missing);
        }
    }
}
