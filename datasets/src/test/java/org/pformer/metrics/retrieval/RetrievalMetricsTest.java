package org.pformer.metrics.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {
    private static final int IMAGES = 40;
    private static final int CAPTIONS_PER_IMAGE = 5;

    private static int[] imageOfText() {
        return IntStream.range(0, IMAGES * CAPTIONS_PER_IMAGE).map(t -> t / CAPTIONS_PER_IMAGE).toArray();
    }

    private static float[][] randomScores(Random rng, int rows, int cols, int[][] gt, float boost) {
        float[][] s = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                s[r][c] = rng.nextFloat();
            }
            for (int c : gt[r]) {
                s[r][c] += boost * rng.nextFloat();
            }
        }
        return s;
    }

    /** The reference's rank: position in the descending sort, best over the ground truths (no ties here). */
    private static int argsortRank(float[] row, int[] gt) {
        Integer[] order = IntStream.range(0, row.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer c) -> row[c]).reversed());
        int best = Integer.MAX_VALUE;
        for (int pos = 0; pos < order.length; pos++) {
            for (int g : gt) {
                if (order[pos] == g) {
                    best = Math.min(best, pos);
                }
            }
        }
        return best;
    }

    @Test
    void ranksEqualTheArgsortReferenceWhenThereAreNoTies() {
        Random rng = new Random(7);
        int[] imageOfText = imageOfText();
        RetrievalMetrics m = new RetrievalMetrics(IMAGES, imageOfText);
        int[][] textsOfImage = new int[IMAGES][];
        for (int i = 0; i < IMAGES; i++) {
            int first = i * CAPTIONS_PER_IMAGE;
            textsOfImage[i] = IntStream.range(first, first + CAPTIONS_PER_IMAGE).toArray();
        }
        int[][] imageOf = Arrays.stream(imageOfText).mapToObj(i -> new int[] {i}).toArray(int[][]::new);
        float[][] i2t = randomScores(rng, IMAGES, imageOfText.length, textsOfImage, 0.3f);
        float[][] t2i = randomScores(rng, imageOfText.length, IMAGES, imageOf, 0.3f);
        m.imageToText().addRows(0, i2t);
        m.textToImage().addRows(0, t2i);
        int[] i2tRanks = m.imageToText().ranks();
        for (int i = 0; i < IMAGES; i++) {
            assertThat(i2tRanks[i]).as("image %d", i).isEqualTo(argsortRank(i2t[i], textsOfImage[i]));
        }
        int[] t2iRanks = m.textToImage().ranks();
        for (int t = 0; t < imageOfText.length; t++) {
            assertThat(t2iRanks[t]).as("text %d", t).isEqualTo(argsortRank(t2i[t], imageOf[t]));
        }
        RetrievalReport r = m.report();
        long hits1 = Arrays.stream(i2tRanks).filter(x -> x < 1).count();
        long hits5 = Arrays.stream(t2iRanks).filter(x -> x < 5).count();
        assertThat(r.txtR1()).isEqualTo(100.0 * hits1 / IMAGES);
        assertThat(r.imgR5()).isEqualTo(100.0 * hits5 / imageOfText.length);
        assertThat(r.txtRMean()).isEqualTo((r.txtR1() + r.txtR5() + r.txtR10()) / 3);
        assertThat(r.rMean()).isEqualTo((r.txtRMean() + r.imgRMean()) / 2);
        assertThat(r.txtR1()).isLessThanOrEqualTo(r.txtR5()).isLessThanOrEqualTo(r.txtR10());
    }

    @Test
    void aTieWithAWrongCandidateCountsAgainstTheModel() {
        // 2 images, texts 0,1 -> image 0, text 2 -> image 1
        RetrievalMetrics m = new RetrievalMetrics(2, new int[] {0, 0, 1});
        m.imageToText().addRow(0, new float[] {0.5f, 0.9f, 0.9f}); // best caption 1 ties with wrong text 2
        m.imageToText().addRow(1, new float[] {0.1f, 0.1f, 0.1f}); // all equal: two wrong texts ahead
        m.textToImage().addRow(0, new float[] {0.7f, 0.7f});
        m.textToImage().addRow(1, new float[] {0.8f, 0.2f});
        m.textToImage().addRow(2, new float[] {0.3f, 0.4f});
        assertThat(m.imageToText().ranks()).containsExactly(1, 2);
        assertThat(m.textToImage().ranks()).containsExactly(1, 0, 0);
    }

    @Test
    void tiedGroundTruthsDoNotCountAgainstEachOther() {
        RetrievalMetrics m = new RetrievalMetrics(2, new int[] {0, 0, 1});
        m.imageToText().addRow(0, new float[] {0.9f, 0.9f, 0.1f});
        m.imageToText().addRow(1, new float[] {0.9f, 0.9f, 0.95f});
        assertThat(m.imageToText().ranks()).containsExactly(0, 0);
        assertThat(m.imageToText().recallAt(1)).isEqualTo(100.0);
    }

    @Test
    void rowBlocksInAnyOrderGiveTheWholeMatrixResult() {
        Random rng = new Random(11);
        int[] imageOfText = imageOfText();
        float[][] i2t = new float[IMAGES][imageOfText.length];
        float[][] t2i = new float[imageOfText.length][IMAGES];
        for (float[] row : i2t) {
            for (int c = 0; c < row.length; c++) {
                row[c] = rng.nextInt(20); // many ties on purpose
            }
        }
        for (float[] row : t2i) {
            for (int c = 0; c < row.length; c++) {
                row[c] = rng.nextInt(20);
            }
        }
        RetrievalReport whole = RetrievalMetrics.evaluate(i2t, t2i, imageOfText);
        RetrievalMetrics blocks = new RetrievalMetrics(IMAGES, imageOfText);
        for (int start = IMAGES - 16; start >= 0; start -= 16) {
            blocks.imageToText().addRows(start, Arrays.copyOfRange(i2t, start, start + 16));
        }
        blocks.imageToText().addRows(0, Arrays.copyOfRange(i2t, 0, IMAGES % 16));
        for (int start = 0; start < t2i.length; start += 64) {
            blocks.textToImage().addRows(start, Arrays.copyOfRange(t2i, start, Math.min(t2i.length, start + 64)));
        }
        assertThat(blocks.report()).isEqualTo(whole);
    }

    @Test
    void reportsErrorsThatNameTheRowOrImage() {
        assertThatThrownBy(() -> new RetrievalMetrics(3, new int[] {0, 0, 1}))
                .hasMessageContaining("image 2 has no text");
        RetrievalMetrics m = new RetrievalMetrics(2, new int[] {0, 1});
        assertThatThrownBy(() -> m.imageToText().addRow(0, new float[] {Float.NaN, 1f}))
                .hasMessageContaining("row 0, column 0 is NaN");
        m.imageToText().addRow(1, new float[] {0f, 1f});
        assertThatThrownBy(() -> m.imageToText().addRow(1, new float[] {0f, 1f}))
                .hasMessageContaining("row 1 was already added");
        assertThatThrownBy(() -> m.imageToText().addRow(0, new float[] {0f}))
                .hasMessageContaining("row 0 has 1 scores, expected 2");
        assertThatThrownBy(m::report).hasMessageContaining("row 0");
    }

    @Test
    void reportSerialisesWithJackson() throws Exception {
        RetrievalReport r = RetrievalMetrics.evaluate(new float[][] {{1f, 0f}, {0f, 1f}},
                new float[][] {{1f, 0f}, {0f, 1f}}, new int[] {0, 1});
        assertThat(r.txtR1()).isEqualTo(100.0);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readValue(json.writeValueAsString(r), RetrievalReport.class)).isEqualTo(r);
    }
}
