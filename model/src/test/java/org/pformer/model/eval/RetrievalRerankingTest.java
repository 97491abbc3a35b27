package org.pformer.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pformer.metrics.retrieval.RankAccumulator;
import org.pformer.metrics.retrieval.RetrievalMetrics;

class RetrievalRerankingTest {

    private static final float NEG = Float.NEGATIVE_INFINITY;

    @Test
    void topKBreaksTiesByLowerIndex() {
        float[] s = {0.5f, 0.9f, 0.5f, 0.9f, 0.1f};
        assertThat(RetrievalReranking.topK(s, 3)).containsExactly(1, 3, 0);
        assertThat(RetrievalReranking.topK(s, 5)).containsExactly(1, 3, 0, 2, 4);
        assertThat(RetrievalReranking.topK(new float[] {2, 2, 2}, 2)).containsExactly(0, 1);
        assertThatThrownBy(() -> RetrievalReranking.topK(s, 6)).hasMessageContaining("1..5");
        assertThatThrownBy(() -> RetrievalReranking.topK(new float[] {1, Float.NaN}, 1))
                .hasMessageContaining("candidate 1 is NaN");
    }

    @Test
    void topKAgreesWithAStableFullSortOnRowsFullOfTies() {
        java.util.Random r = new java.util.Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(60);
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(6) - 2 + (r.nextBoolean() ? 0f : -0f); // few distinct values, signed zeros
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> s[a] > s[b] ? -1 : s[a] < s[b] ? 1 : 0); // stable; -0 == 0
            int k = 1 + r.nextInt(n);
            int[] expected = new int[k];
            for (int i = 0; i < k; i++) {
                expected[i] = order[i];
            }
            assertThat(RetrievalReranking.topK(s, k)).as("trial %d", trial).containsExactly(expected);
        }
    }

    /** ITM logits from a table: pair (row, column) → itm[row][column]. */
    private static RetrievalReranking.PairScorer table(float[][] itm, List<int[]> calls) {
        return (rows, cols) -> {
            calls.add(rows);
            float[] out = new float[rows.length];
            for (int i = 0; i < rows.length; i++) {
                out[i] = itm[rows[i]][cols[i]];
            }
            return out;
        };
    }

    @Test
    void reranksTheTopKAndRanksTiesAgainstTheModelDeterministically() throws IOException {
        // 3 images, texts 0-1 of image 0, text 2 of image 1, text 3 of image 2
        float[][] itc = {
            {0.3f, 0.3f, 0.3f, 0.1f},   // tie of three: texts 0 and 1 (lower indices) are re-ranked, not 2
            {0.2f, 0.2f, 0.2f, 0.2f},   // its ground truth (2) falls outside the top 2
            {0.1f, 0.0f, 0.0f, 0.5f}};  // text 0 catches up with the ground truth after ITM: an exact tie
        float[][] itm = {
            {1f, 2f, 5f, 0f},
            {0f, 0f, 9f, 0f},
            {0.4f, 0f, 0f, 0f}};
        for (int run = 0; run < 2; run++) {
            RetrievalMetrics metrics = new RetrievalMetrics(3, new int[] {0, 0, 1, 2});
            List<int[]> calls = new ArrayList<>();
            int k = RetrievalReranking.rerankBlock(itc, 0, 2, 100, table(itm, calls), metrics.imageToText());
            assertThat(k).isEqualTo(2);
            // image 0: its best caption (text 1: 2 + 0.3) is first; image 1: behind all 3 wrong texts (-inf ties);
            // image 2: 0.5 vs 0.1 + 0.4 = 0.5, the tie counts against the model
            assertThat(metrics.imageToText().ranks()).containsExactly(0, 3, 1);
            assertThat(calls).hasSize(1);
        }
    }

    @Test
    void kLargerThanTheGalleryReranksEveryCandidate() throws IOException {
        float[][] itc = {{0.1f, 0.2f, 0.3f}, {0.3f, 0.2f, 0.1f}};
        float[][] itm = {{3f, 0f, 0f}, {0f, 0f, 3f}};
        RankAccumulator ranks = new RankAccumulator(3, new int[][] {{0}, {2}});
        int k = RetrievalReranking.rerankBlock(itc, 0, 128, 4, table(itm, new ArrayList<>()), ranks);
        assertThat(k).isEqualTo(3);
        assertThat(ranks.ranks()).containsExactly(0, 0); // ITM lifts the ITC-worst candidate to the top
    }

    @Test
    void itmSeesAtMostPairBatchPairsPerCallAndEachTopKPairOnce() throws IOException {
        int rows = 5;
        int cols = 9;
        float[][] itc = new float[rows][cols];
        float[][] itm = new float[rows + 10][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                itc[r][c] = (r * 7 + c * 3) % 5;
            }
        }
        List<int[]> calls = new ArrayList<>();
        Set<Long> pairs = new HashSet<>();
        RetrievalReranking.PairScorer scorer = (rs, cs) -> {
            assertThat(rs.length).isLessThanOrEqualTo(4);
            for (int i = 0; i < rs.length; i++) {
                assertThat(pairs.add(rs[i] * 100L + cs[i])).isTrue();
                assertThat(rs[i]).isBetween(10, 10 + rows - 1); // rows are numbered from firstRow
            }
            calls.add(rs);
            return new float[rs.length];
        };
        int[][] gt = new int[rows + 10][];
        for (int r = 0; r < gt.length; r++) {
            gt[r] = new int[] {r % cols};
        }
        RankAccumulator ranks = new RankAccumulator(cols, gt);
        RetrievalReranking.rerankBlock(itc, 10, 3, 4, scorer, ranks);
        assertThat(pairs).hasSize(rows * 3);
        assertThat(calls).hasSize((rows * 3 + 3) / 4);
    }

    @Test
    void rowsOfDifferentLengthsAreRejected() {
        float[][] itc = {{1, 2}, {1}};
        assertThatThrownBy(() -> RetrievalReranking.rerankBlock(itc, 0, 1, 1, (r, c) -> new float[r.length],
                new RankAccumulator(2, new int[][] {{0}, {1}}))).hasMessageContaining("row 1 has 1 scores");
    }
}
