package org.pformer.model.bench;

import java.io.IOException;
import java.util.Locale;
import java.util.SplittableRandom;
import org.pformer.metrics.retrieval.RetrievalMetrics;
import org.pformer.model.eval.RetrievalReranking;

/**
 * The Java side of retrieval evaluation at full scale (5k images × 25k texts by default): random ITC rows in
 * blocks, top-k selection, re-scoring with a zero ITM (the network is not run) and ranking. Shows the time and
 * heap that the blocked re-ranking needs around the model.
 *
 * <pre>java -Xmx512m -cp … org.pformer.model.bench.RetrievalRankingBenchmark [images texts k blockRows]</pre>
 */
public final class RetrievalRankingBenchmark {

    private RetrievalRankingBenchmark() {}

    public static void main(String[] args) throws IOException {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int texts = args.length > 1 ? Integer.parseInt(args[1]) : 25000;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int block = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        int[] owner = new int[texts];
        for (int t = 0; t < texts; t++) {
            owner[t] = (int) ((long) t * images / texts);
        }
        RetrievalMetrics metrics = new RetrievalMetrics(images, owner);
        SplittableRandom random = new SplittableRandom(1);
        long[] maxPairs = {0};
        RetrievalReranking.PairScorer zeroItm = (rows, cols) -> {
            maxPairs[0] = Math.max(maxPairs[0], rows.length);
            return new float[rows.length];
        };
        long t0 = System.nanoTime();
        run(images, texts, k, block, random, zeroItm, metrics, false);
        run(texts, images, k, block, random, zeroItm, metrics, true);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "%d images x %d texts, k=%d, blocks of %d rows: %.1f s, max ITM pairs per call "
                + "%d, heap in use %d MiB (max %d MiB)%n", images, texts, k, block, seconds, maxPairs[0],
                (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
    }

    private static void run(int rows, int columns, int k, int block, SplittableRandom random,
            RetrievalReranking.PairScorer itm, RetrievalMetrics metrics, boolean textRows) throws IOException {
        for (int from = 0; from < rows; from += block) {
            float[][] itc = new float[Math.min(block, rows - from)][columns];
            for (float[] row : itc) {
                for (int c = 0; c < columns; c++) {
                    row[c] = (float) random.nextDouble();
                }
            }
            RetrievalReranking.rerankBlock(itc, from, k, 64, itm, textRows ? metrics.textToImage()
                    : metrics.imageToText());
        }
    }
}
