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
 * P-Former training batches over the ingested token shards: an endless sequence of epochs, each a seeded
 * permutation of all sentences, read by random access (only the shard index is in memory). The cursor is the number
 * of sentences served.
 */
public final class ShardSentenceSource extends CountingBatchSource<SentenceBatch>
        implements SentenceBatchSource, AutoCloseable {

    private final List<ShardReader> readers;
    private final long[] starts;
    private final long size;
    private final EpochOrder order;
    private final int encoderPadId;
    private final int llmPadId;

    private ShardSentenceSource(List<ShardReader> readers, long[] starts, long size, int encoderPadId, int llmPadId,
            long seed) {
        this.readers = readers;
        this.starts = starts;
        this.size = size;
        this.encoderPadId = encoderPadId;
        this.llmPadId = llmPadId;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("corpus of " + size + " sentences is larger than one epoch order can hold");
        }
        this.order = new EpochOrder((int) size, seed);
    }

    /** Opens the shards of an ingestion output directory after verifying its manifest and every shard's digest. */
    public static ShardSentenceSource open(Path shardDir, int encoderPadId, int llmPadId, long seed) throws IOException {
        ShardManifest manifest = ShardManifest.read(shardDir);
        manifest.verify(shardDir);
        List<ShardReader> readers = new ArrayList<>();
        long[] starts = new long[manifest.shards().size()];
        long total = 0;
        try {
            for (int i = 0; i < starts.length; i++) {
                ShardReader r = ShardReader.open(shardDir.resolve(manifest.shards().get(i).file()));
                readers.add(r);
                starts[i] = total;
                total += r.size();
            }
        } catch (IOException | RuntimeException e) {
            for (ShardReader r : readers) {
                r.close();
            }
            throw e;
        }
        if (total == 0) {
            throw new org.pformer.datasets.io.MalformedDataException(shardDir.toString(),
                    "the token shards hold no sentence; expected a non-empty corpus");
        }
        return new ShardSentenceSource(readers, starts, total, encoderPadId, llmPadId, seed);
    }

    /** Sentences per epoch. */
    public long size() {
        return size;
    }

    @Override
    public SentenceBatch next(int batchSize) {
        int[][] enc = new int[batchSize][];
        int[][] llm = new int[batchSize][];
        List<String> texts = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            TokenizedSentence s = sentence(order.at(advance(1)));
            enc[i] = s.pformerIds();
            llm[i] = s.llmIds();
            texts.add(s.text());
        }
        return new SentenceBatch(TokenBatches.rightPad(enc, encoderPadId), TokenBatches.rightPad(llm, llmPadId), texts);
    }

    private TokenizedSentence sentence(long index) {
        int shard = Arrays.binarySearch(starts, index);
        if (shard < 0) {
            shard = -shard - 2;
        }
        try {
            return readers.get(shard).get((int) (index - starts[shard]));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sentence " + index + " from " + readers.get(shard).file(), e);
        }
    }

    @Override
    public void close() throws IOException {
        for (ShardReader r : readers) {
            r.close();
        }
    }
}
