package org.pformer.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.io.LocalTextSources;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.text.IngestOptions;
import org.pformer.datasets.text.IngestResult;
import org.pformer.datasets.text.SentenceIngestion;
import org.pformer.datasets.text.ShardManifest;
import org.pformer.datasets.text.ShardPosition;
import org.pformer.datasets.text.TokenShardStream;
import org.pformer.datasets.text.TokenizedSentence;
import org.pformer.model.pformer.SentenceBatch;
import org.pformer.model.train.DataCursor;

class ShardSentenceSourceTest {

    @TempDir
    static Path tmp;
    private static TinyWorld world;
    private static Path shards;
    /** Every ingested sentence by its (unique: de-duplicated) text. */
    private static Map<String, TokenizedSentence> corpus;

    @BeforeAll
    static void ingest() throws IOException {
        world = TinyWorld.generate(tmp.resolve("world"));
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.write(in.resolve("sentences.txt"), world.sentences(300));
        shards = tmp.resolve("shards");
        IngestResult r = new SentenceIngestion(IngestOptions.defaults().withShardSize(64), world.pformer, world.llm)
                .tuning(128, 1).run(LocalTextSources.list(in), shards);
        assertThat(r.manifest().shards()).hasSizeGreaterThan(2);
        corpus = new HashMap<>();
        try (TokenShardStream s = TokenShardStream.open(shards, new ShardPosition(0, 0), true)) {
            while (s.hasNext()) {
                TokenizedSentence t = s.next();
                assertThat(corpus.put(t.text(), t)).isNull();
            }
        }
        assertThat(corpus).hasSizeGreaterThan(100);
    }

    @AfterAll
    static void close() {
        world.close();
    }

    private static ShardSentenceSource open(long seed) throws IOException {
        return ShardSentenceSource.open(shards, world.pformer.padId(), world.llm.padId(), seed);
    }

    private static List<SentenceBatch> read(ShardSentenceSource source, int batches, int batchSize) {
        List<SentenceBatch> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            out.add(source.next(batchSize));
        }
        return out;
    }

    private static void assertSame(List<SentenceBatch> actual, List<SentenceBatch> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).texts()).isEqualTo(expected.get(i).texts());
            TinyWorld.assertSameTokens(actual.get(i).encoder(), expected.get(i).encoder());
            TinyWorld.assertSameTokens(actual.get(i).llm(), expected.get(i).llm());
        }
    }

    @Test
    void everySentenceOncePerEpochInAFreshOrderEachEpoch() throws IOException {
        try (ShardSentenceSource source = open(7)) {
            int n = corpus.size();
            assertThat(source.size()).isEqualTo(n);
            // batches of 11 straddle the epoch boundaries; positions tell the epoch of each example
            List<String> served = new ArrayList<>();
            while (served.size() < 2 * n) {
                served.addAll(source.next(11).texts());
            }
            List<String> first = served.subList(0, n);
            List<String> second = served.subList(n, 2 * n);
            assertThat(first).containsExactlyInAnyOrderElementsOf(corpus.keySet());
            assertThat(second).containsExactlyInAnyOrderElementsOf(corpus.keySet());
            assertThat(second).isNotEqualTo(first);
            assertThat(source.cursor()).isEqualTo(new DataCursor(Long.toString(served.size())));
        }
    }

    @Test
    void paddedToTheLongestSentenceWithTheStoredIdsAndMask() throws IOException {
        try (ShardSentenceSource source = open(3)) {
            for (SentenceBatch b : read(source, 6, 16)) {
                assertThat(b.size()).isEqualTo(16);
                int longestEncoder = 0;
                int longestLlm = 0;
                for (int i = 0; i < b.size(); i++) {
                    TokenizedSentence t = corpus.get(b.texts().get(i));
                    assertThat(TinyWorld.unpadded(b.encoder(), i, world.pformer.padId()))
                            .isEqualTo(Padding.widen(t.pformerIds()));
                    assertThat(TinyWorld.unpadded(b.llm(), i, world.llm.padId())).isEqualTo(Padding.widen(t.llmIds()));
                    assertThat(b.encoder().ids()[i][0]).isEqualTo(world.pformer.clsId());
                    assertThat(b.llm().ids()[i][0]).isEqualTo(world.llm.bosId());
                    longestEncoder = Math.max(longestEncoder, t.pformerIds().length);
                    longestLlm = Math.max(longestLlm, t.llmIds().length);
                }
                assertThat(b.encoder().length()).isEqualTo(longestEncoder);
                assertThat(b.llm().length()).isEqualTo(longestLlm);
            }
        }
    }

    @Test
    void sameSeedSameBatchesOtherSeedOtherOrder() throws IOException {
        try (ShardSentenceSource a = open(11); ShardSentenceSource b = open(11); ShardSentenceSource c = open(12)) {
            List<SentenceBatch> fromA = read(a, 5, 9);
            assertSame(read(b, 5, 9), fromA);
            assertThat(read(c, 5, 9).stream().map(SentenceBatch::texts).toList())
                    .isNotEqualTo(fromA.stream().map(SentenceBatch::texts).toList());
        }
    }

    @Test
    void resumesExactlyFromACursor() throws IOException {
        DataCursor cursor;
        List<SentenceBatch> after;
        try (ShardSentenceSource source = open(5)) {
            // enough batches that the continuation crosses into the next epoch
            read(source, (int) (source.size() / 13), 13);
            cursor = source.cursor();
            after = read(source, 4, 13);
        }
        try (ShardSentenceSource resumed = open(5)) {
            resumed.next(3); // a source that already served something else is moved as well
            resumed.seek(cursor);
            assertSame(read(resumed, 4, 13), after);
            assertThat(resumed.cursor()).isEqualTo(new DataCursor(Long.toString(Long.parseLong(cursor.value()) + 52)));
        }
    }

    @Test
    void aCorruptedShardIsNamed() throws IOException {
        Path copy = copyOf(shards, tmp.resolve("corrupt"));
        Path shard = copy.resolve(ShardManifest.read(copy).shards().get(1).file());
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(shard, bytes);
        assertThatThrownBy(() -> ShardSentenceSource.open(copy, 0, 1, 1))
                .isInstanceOf(MalformedDataException.class)
                .hasMessageContaining(shard.toString())
                .hasMessageContaining("SHA-256");
    }

    @Test
    void aMissingShardOrManifestIsNamed() throws IOException {
        Path copy = copyOf(shards, tmp.resolve("missing"));
        Path shard = copy.resolve(ShardManifest.read(copy).shards().get(0).file());
        Files.delete(shard);
        assertThatThrownBy(() -> ShardSentenceSource.open(copy, 0, 1, 1))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(shard.toString());
        Path empty = Files.createDirectories(tmp.resolve("not-ingested"));
        assertThatThrownBy(() -> ShardSentenceSource.open(empty, 0, 1, 1))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(empty.toString());
    }

    @Test
    void rejectsBadBatchSizesAndCursors() throws IOException {
        try (ShardSentenceSource source = open(1)) {
            assertThatThrownBy(() -> source.next(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> source.seek(new DataCursor("3:4"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3:4");
        }
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
