package org.pformer.model.foundation;

import java.util.ArrayList;
import java.util.List;
import org.pformer.model.data.EpochOrder;
import org.pformer.model.data.Padding;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.TokenBatch;

/**
 * Resumable batches of tokenised LM lines (each line already {@code BOS … "\n"} as the world's OPT-style tokenizer
 * makes it): one line per sequence, right-padded to the longest line of the batch, lines longer than {@code
 * maxLength} cut there. Cycles through the lines in a fresh seeded order every epoch; the cursor is the number of
 * lines served, so a resumed source continues exactly where it left off.
 */
public final class LmLineSource extends CountingBatchSource<TokenBatch> {

    private final List<long[]> lines;
    private final int padTokenId;
    private final int maxLength;
    private final EpochOrder order;

    /**
     * @param lines token ids per line (not copied: do not modify them afterwards)
     * @param vocabSize every id must be in [0, vocabSize)
     * @param padTokenId padding id (OPT: 1)
     * @param maxLength longest sequence fed to the model (the LM's positions)
     * @param seed shuffling seed
     */
    public LmLineSource(List<long[]> lines, int vocabSize, int padTokenId, int maxLength, long seed) {
        this.lines = List.copyOf(validate(lines, vocabSize, maxLength));
        this.padTokenId = padTokenId;
        this.maxLength = maxLength;
        this.order = new EpochOrder(this.lines.size(), seed);
    }

    /** Lines per epoch. */
    public int size() {
        return lines.size();
    }

    @Override
    public TokenBatch next(int batchSize) {
        List<long[]> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            long position = advance(1);
            batch.add(lines.get(order.index(position)));
        }
        return Padding.right(batch, padTokenId, maxLength);
    }

    /** The lines in their given order, {@code batchSize} at a time (the last batch may be smaller): for evaluation. */
    public static List<TokenBatch> batches(List<long[]> lines, int batchSize, int vocabSize, int padTokenId,
            int maxLength) {
        validate(lines, vocabSize, maxLength);
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        }
        List<TokenBatch> out = new ArrayList<>();
        for (int from = 0; from < lines.size(); from += batchSize) {
            out.add(Padding.right(lines.subList(from, Math.min(lines.size(), from + batchSize)), padTokenId,
                    maxLength));
        }
        return out;
    }

    private static List<long[]> validate(List<long[]> lines, int vocabSize, int maxLength) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("no LM lines");
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be >= 2 (a next-token target), got " + maxLength);
        }
        for (int i = 0; i < lines.size(); i++) {
            long[] line = lines.get(i);
            if (line.length < 2) {
                throw new IllegalArgumentException("LM line " + i + " has " + line.length
                        + " tokens; expected at least BOS and one more");
            }
            for (int j = 0; j < line.length; j++) {
                if (line[j] < 0 || line[j] >= vocabSize) {
                    throw new IllegalArgumentException("LM line " + i + ", token " + j + ": id " + line[j]
                            + " outside the vocabulary [0, " + vocabSize + ")");
                }
            }
        }
        return lines;
    }
}
