package org.pformer.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pformer.datasets.text.ShardManifest;
import org.pformer.datasets.text.ShardReader;
import org.pformer.datasets.text.TokenizedSentence;
import org.pformer.model.pformer.SentenceBatch;
import org.pformer.model.pformer.SentenceBatchSource;
import org.pformer.model.train.CountingBatchSource;

/**
 * P-Former stage-0 batches over an ingested corpus (the token shards of {@code SentenceIngestion}): an endless
 * sequence of epochs, each a seeded permutation of every sentence ({@link EpochOrder}), read by random access from
 * the shards. The cursor is the number of sentences served, so a resumed source continues exactly where it left
 * off. Memory: one open channel per shard, the shard offsets and one {@code int} per sentence (the permutation);
 * sentences are read on demand.
 */
public final class ShardSentenceSource extends CountingBatchSource<SentenceBatch>
        implements SentenceBatchSource, AutoCloseable {

    private final Path dir;
    private final List<ShardReader> readers;
    /** {@code starts[s]} = global index of shard s's first sentence; {@code starts[shards]} = total. */
    private final long[] starts;
    private final int encoderPadId;
    private final int llmPadId;
    private final EpochOrder order;

    private ShardSentenceSource(Path dir, List<ShardReader> readers, long[] starts, int encoderPadId, int llmPadId,
            long seed) {
        this.dir = dir;
        this.readers = readers;
        this.starts = starts;
        this.encoderPadId = encoderPadId;
        this.llmPadId = llmPadId;
        this.order = new EpochOrder((int) starts[readers.size()], seed);
    }

    /**
     * Opens the corpus in {@code shardDir}, checking every shard's size and SHA-256 against {@code manifest.json}
     * once.
     *
     * @param encoderPadId padding id of the P-Former encoder's tokens ({@code [PAD]})
     * @param llmPadId padding id of the LLM's tokens (OPT: 1)
     * @param seed shuffling seed
     * @throws IOException a missing or malformed manifest, a shard that is missing or does not match its digest
     *     (the message names the file), or an empty corpus
     */
    public static ShardSentenceSource open(Path shardDir, int encoderPadId, int llmPadId, long seed)
            throws IOException {
        ShardManifest manifest = ShardManifest.read(shardDir);
        manifest.verify(shardDir);
        List<ShardReader> readers = new ArrayList<>(manifest.shards().size());
        try {
            long[] starts = new long[manifest.shards().size() + 1];
            for (int s = 0; s < manifest.shards().size(); s++) {
                ShardManifest.Shard shard = manifest.shards().get(s);
                ShardReader reader = ShardReader.open(shardDir.resolve(shard.file()));
                readers.add(reader);
                if (reader.size() != shard.sentences()) {
                    throw new IOException(reader.file() + ": holds " + reader.size() + " sentences, "
                            + shardDir.resolve(ShardManifest.FILE) + " says " + shard.sentences());
                }
                starts[s + 1] = starts[s] + reader.size();
            }
            long total = starts[readers.size()];
            if (total != manifest.sentences()) {
                throw new IOException(shardDir + ": the shards hold " + total + " sentences, "
                        + ShardManifest.FILE + " says " + manifest.sentences());
            }
            if (total == 0) {
                throw new IOException(shardDir + ": the corpus holds no sentences");
            }
            if (total > Integer.MAX_VALUE) {
                throw new IOException(shardDir + ": " + total + " sentences; at most " + Integer.MAX_VALUE
                        + " can be shuffled");
            }
            return new ShardSentenceSource(shardDir, List.copyOf(readers), starts, encoderPadId, llmPadId, seed);
        } catch (IOException | RuntimeException e) {
            closeAll(readers, e);
            throw e;
        }
    }

    /** Sentences per epoch. */
    public long size() {
        return starts[readers.size()];
    }

    @Override
    public SentenceBatch next(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        }
        long first = position();
        List<long[]> encoder = new ArrayList<>(batchSize);
        List<long[]> llm = new ArrayList<>(batchSize);
        List<String> texts = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            TokenizedSentence s = sentence(order.index(first + i));
            encoder.add(Padding.widen(s.pformerIds()));
            llm.add(Padding.widen(s.llmIds()));
            texts.add(s.text());
        }
        advance(batchSize); // only once the whole batch was read: a failed read leaves the cursor where it was
        return new SentenceBatch(Padding.right(encoder, encoderPadId, Integer.MAX_VALUE),
                Padding.right(llm, llmPadId, Integer.MAX_VALUE), texts);
    }

    /** Sentence {@code index} of the corpus (shards in manifest order). */
    TokenizedSentence sentence(int index) {
        int found = Arrays.binarySearch(starts, index);
        // binarySearch hits a shard start exactly, or gives -(insertion point) - 1 with the shard just before it;
        // empty shards share a start, so step to the last shard beginning there.
        int s = found >= 0 ? found : -found - 2;
        while (s + 1 < readers.size() && starts[s + 1] == index) {
            s++;
        }
        ShardReader reader = readers.get(s);
        try {
            return reader.get((int) (index - starts[s]));
        } catch (IOException e) {
            throw new UncheckedIOException(reader.file() + ": cannot read sentence " + (index - starts[s]) + " of the "
                    + "corpus in " + dir, e);
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ShardReader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void closeAll(List<ShardReader> readers, Exception failure) {
        for (ShardReader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
