package org.pformer.model.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pformer.model.pformer.SentenceBatch;
import org.pformer.model.pformer.SentenceBatchSource;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.TokenBatch;

/**
 * Random token sequences with realistic padding ([CLS] … [SEP] for the encoder, BOS … "\n" for the LLM, lengths
 * uniform in [maxLength/2, maxLength]) for measuring step time and memory at a given model size. Batch k is a pure
 * function of (seed, k), so the source is resumable.
 */
public final class SyntheticSentenceSource extends CountingBatchSource<SentenceBatch>
        implements SentenceBatchSource {

    private final long seed;
    private final int encoderVocab;
    private final int llmVocab;
    private final int maxLength;

    public SyntheticSentenceSource(long seed, int encoderVocab, int llmVocab, int maxLength) {
        if (maxLength < 4 || encoderVocab < 8 || llmVocab < 8) {
            throw new IllegalArgumentException("maxLength >= 4 and vocabularies >= 8 required");
        }
        this.seed = seed;
        this.encoderVocab = encoderVocab;
        this.llmVocab = llmVocab;
        this.maxLength = maxLength;
    }

    @Override
    public SentenceBatch next(int batchSize) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + advance(1));
        long[][] encIds = new long[batchSize][maxLength];
        long[][] encMask = new long[batchSize][maxLength];
        long[][] llmIds = new long[batchSize][maxLength];
        long[][] llmMask = new long[batchSize][maxLength];
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            int len = r.nextInt(maxLength / 2, maxLength + 1);
            java.util.Arrays.fill(llmIds[i], 1);
            for (int j = 0; j < len; j++) {
                boolean edge = j == 0 || j == len - 1;
                encIds[i][j] = j == 0 ? 101 % encoderVocab : j == len - 1 ? 102 % encoderVocab
                        : r.nextInt(5, encoderVocab);
                llmIds[i][j] = j == 0 ? 2 : edge ? 3 : r.nextInt(4, llmVocab);
                encMask[i][j] = 1;
                llmMask[i][j] = 1;
            }
            texts.add("synthetic sentence " + i);
        }
        return new SentenceBatch(new TokenBatch(encIds, encMask), new TokenBatch(llmIds, llmMask), texts);
    }
}
