package org.pformer.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.io.LocalTextSources;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.io.TextSource;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;

class SentenceIngestionTest {

    private static PFormerTokenizer pformer;
    private static LlmTokenizer llm;

    @BeforeAll
    static void tokenizers() throws IOException {
        pformer = IngestionFixture.pformer();
        llm = IngestionFixture.llm();
    }

    @AfterAll
    static void close() {
        pformer.close();
        llm.close();
    }

    private static SentenceIngestion ingestion(IngestOptions o) {
        return new SentenceIngestion(o, pformer, llm).tuning(64, 2);
    }

    private static List<TokenizedSentence> readAll(Path dir) throws IOException {
        List<TokenizedSentence> out = new ArrayList<>();
        try (TokenShardStream s = TokenShardStream.open(dir, ShardPosition.START, true)) {
            while (s.hasNext()) {
                out.add(s.next());
            }
        }
        return out;
    }

    @Test
    void cleansFiltersDedupesTokenizesAndCountsEveryDropReason(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in.resolve("sub"));
        String sixty = String.join(" ", java.util.Collections.nCopies(60, "red"));
        byte[] badUtf8 = {'a', ' ', (byte) 0xC3, (byte) 0x28, '\n'};
        Files.write(in.resolve("a.txt"), concat(("A red circle.\n\na red circle\n   ...   \nTwo  Blue Stars!\r\n"
                + "x".repeat(400) + "\n").getBytes(StandardCharsets.UTF_8), badUtf8,
                (sixty + "\n").getBytes(StandardCharsets.UTF_8)));
        IngestionFixture.gzip(in.resolve("b.jsonl.gz"), "{\"caption\": \"a green heart\"}\n{\"text\": \"a pink cross\"}\n"
                + "not json\n{\"other\": 1}\n{\"caption\": 5}\n[1, 2]\n\n");
        Files.writeString(in.resolve("c.json"), "[{\"image\": \"x.jpg\", \"caption\": \"A red circle\"},\n"
                + " {\"image\": \"y.jpg\", \"caption\": [\"one\", \"two words here\"], \"image_id\": 3},\n"
                + " {\"image\": \"z.jpg\"}]");
        Files.writeString(in.resolve("sub/d.txt"), "a green heart\nthe last sentence\n");
        IngestOptions o = IngestOptions.defaults().withWords(2, 50).withMaxLineChars(300).withShardSize(3);

        IngestResult r = ingestion(o).run(LocalTextSources.list(in), tmp.resolve("out"));

        List<String> expected = List.of("a red circle", "two blue stars", sixty.substring(0, 50 * 4 - 1),
                "a green heart", "a pink cross", "two words here", "the last sentence");
        List<TokenizedSentence> got = readAll(tmp.resolve("out"));
        assertThat(got).extracting(TokenizedSentence::text).containsExactlyElementsOf(expected);
        for (TokenizedSentence s : got) {
            assertThat(s.pformerIds()).containsExactly(pformer.encode(s.text()));
            assertThat(s.llmIds()).containsExactly(llm.encodeCaption(s.text()));
        }
        IngestCounts c = r.manifest().counts();
        assertThat(c.items()).isEqualTo(8 + 6 + 4 + 2);
        assertThat(c.kept()).isEqualTo(7);
        assertThat(c.dropped()).isEqualTo(Map.of("empty", 2L, "duplicate", 3L, "too_long", 1L, "too_short", 1L,
                "malformed", 6L));
        assertThat(c.malformed()).isEqualTo(Map.of("invalid_utf8", 1L, "invalid_json", 1L,
                "missing_text_field", 2L, "not_text", 1L, "not_an_object", 1L));
        assertThat(c.items()).isEqualTo(c.kept() + c.dropped().values().stream().mapToLong(Long::longValue).sum());
        assertThat(c.truncatedWords()).isEqualTo(1);
        assertThat(c.truncatedPformerTokens()).isEqualTo(1);
        assertThat(c.truncatedLlmTokens()).isEqualTo(1);
        assertThat(r.manifest().malformedSamples()).extracting(MalformedSample::source, MalformedSample::item,
                        MalformedSample::reason)
                .contains(org.assertj.core.groups.Tuple.tuple("a.txt", 5L, "too_long"),
                        org.assertj.core.groups.Tuple.tuple("a.txt", 6L, "invalid_utf8"),
                        org.assertj.core.groups.Tuple.tuple("b.jsonl.gz", 2L, "invalid_json"),
                        org.assertj.core.groups.Tuple.tuple("c.json", 3L, "missing_text_field"));
        assertThat(r.manifest().inputs()).extracting(ShardManifest.Input::name, ShardManifest.Input::items)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a.txt", 8L),
                        org.assertj.core.groups.Tuple.tuple("b.jsonl.gz", 6L),
                        org.assertj.core.groups.Tuple.tuple("c.json", 4L),
                        org.assertj.core.groups.Tuple.tuple("sub/d.txt", 2L));
        assertThat(r.manifest().shards()).extracting(ShardManifest.Shard::sentences).containsExactly(3L, 3L, 1L);
        assertThat(r.manifest().pformerTokenizer().sha256()).isEqualTo(pformer.sha256());
        assertThat(r.manifest().llmTokenizer().sha256()).isEqualTo(llm.sha256());
        assertThat(tmp.resolve("out").resolve(SentenceIngestion.STATE_FILE)).doesNotExist();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void gzipIsDetectedByMagicBytesNotByName(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        IngestionFixture.gzip(in.resolve("compressed-but-named.txt"), "a red circle\n");
        Files.writeString(in.resolve("plain-but-named.txt.gz"), "a blue star\n");
        ingestion(IngestOptions.defaults()).run(LocalTextSources.list(in), tmp.resolve("out"));
        assertThat(readAll(tmp.resolve("out"))).extracting(TokenizedSentence::text)
                .containsExactly("a red circle", "a blue star");
    }

    @Test
    void aFileThatCannotBeParsedFailsNamingIt(@TempDir Path tmp) throws Exception {
        assertFails(tmp, "notalist.json", "{\"caption\": \"a\"}".getBytes(), "notalist.json", "expected a JSON list");
        assertFails(tmp, "cut.json", "[{\"caption\": \"a red circle\"}, {\"capt".getBytes(), "cut.json",
                "not closed", "truncated");
        assertFails(tmp, "open.json", "[{\"caption\": \"a red circle\"}".getBytes(), "open.json", "not closed");
        assertFails(tmp, "comma.json", "[{\"caption\": \"a\"}\n {\"caption\": \"b\"}]".getBytes(), "comma.json",
                "invalid JSON at line 2");
        assertFails(tmp, "table.csv", "a,b\n".getBytes(), "table.csv", "cannot tell the format");
        assertFails(tmp, "image.txt", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, '\n', 'x'}, "image.txt",
                "binary data");
        assertFails(tmp, "garbage.jsonl", "no\nstill no\n".getBytes(), "garbage.jsonl", "none of its 2 records");
        byte[] gz;
        try (var bytes = new java.io.ByteArrayOutputStream();
             var out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write("a red circle\n".repeat(1000).getBytes());
            out.finish();
            gz = bytes.toByteArray();
        }
        assertFails(tmp, "cut.txt.gz", java.util.Arrays.copyOf(gz, gz.length / 2), "cut.txt.gz", "gzip");
    }

    private void assertFails(Path tmp, String name, byte[] content, String... messageParts) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("case-" + name));
        Files.write(dir.resolve(name), content);
        assertThatThrownBy(() -> ingestion(IngestOptions.defaults()).run(LocalTextSources.list(dir),
                tmp.resolve("out-" + name)))
                .isInstanceOf(MalformedDataException.class)
                .satisfies(e -> {
                    for (String part : messageParts) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    @Test
    void resumeAfterCrashesGivesTheSameBytesAsAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        IngestionFixture.corpus(in, 3, 700);
        List<TextSource> sources = LocalTextSources.list(in);
        IngestOptions o = IngestOptions.defaults().withShardSize(100);
        IngestResult reference = ingestion(o).run(sources, tmp.resolve("reference"));
        assertThat(reference.manifest().shards()).hasSizeGreaterThan(10);
        assertThat(reference.manifest().counts().dropped(IngestCounts.DUPLICATE)).isPositive();
        TreeMap<String, byte[]> expected = IngestionFixture.contents(tmp.resolve("reference"));
        long total = sources.stream().mapToLong(TextSource::size).sum();

        // A crash in the first shard, mid-file, exactly at a file boundary region, and a run that crashes twice.
        long[][] crashPlans = {{1_000}, {total / 3}, {sources.get(0).size() + 10}, {total / 4, total / 2},
            {total - 100}};
        for (long[] plan : crashPlans) {
            Path out = tmp.resolve("run-" + plan[0] + "-" + plan.length);
            for (long failAfter : plan) {
                assertThatThrownBy(() -> ingestion(o).run(IngestionFixture.failingAfter(sources, failAfter), out))
                        .isInstanceOf(IOException.class).hasMessageContaining("injected failure");
                assertThat(out.resolve(ShardManifest.FILE)).doesNotExist();
                // Past the first shard, the crash left committed shards and a cursor behind.
                assertThat(Files.exists(out.resolve(SentenceIngestion.STATE_FILE))).isEqualTo(failAfter > 15_000);
            }
            IngestResult resumed = ingestion(o).run(sources, out);
            assertThat(resumed.alreadyComplete()).isFalse();
            assertThat(resumed.itemsThisRun()).isLessThanOrEqualTo(reference.itemsThisRun());
            TreeMap<String, byte[]> actual = IngestionFixture.contents(out);
            assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
            for (String f : expected.keySet()) {
                assertThat(actual.get(f)).as("%s after crashes at %s", f, java.util.Arrays.toString(plan))
                        .isEqualTo(expected.get(f));
            }
        }
        // The late crash left committed shards behind: the resumed run only did the rest.
        IngestResult again = ingestion(o).run(sources, tmp.resolve("reference"));
        assertThat(again.alreadyComplete()).isTrue();
        assertThat(again.manifest()).isEqualTo(reference.manifest());
    }

    @Test
    void batchSizeAndThreadsNeverChangeTheOutput(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        IngestionFixture.corpus(in, 2, 300);
        List<TextSource> sources = LocalTextSources.list(in);
        IngestOptions o = IngestOptions.defaults().withShardSize(70);
        new SentenceIngestion(o, pformer, llm).tuning(7, 1).run(sources, tmp.resolve("a"));
        new SentenceIngestion(o, pformer, llm).tuning(100, 3).run(sources, tmp.resolve("b"));
        assertThat(IngestionFixture.contents(tmp.resolve("b"))).usingRecursiveComparison()
                .isEqualTo(IngestionFixture.contents(tmp.resolve("a")));
    }

    @Test
    void anInterruptedThreadStopsAndTheRunResumes(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        IngestionFixture.corpus(in, 2, 400);
        List<TextSource> sources = LocalTextSources.list(in);
        IngestOptions o = IngestOptions.defaults().withShardSize(50);
        ingestion(o).run(sources, tmp.resolve("reference"));

        Path out = tmp.resolve("out");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] commits = {0};
        long[] keptAtThird = {-1};
        Thread worker = new Thread(() -> {
            try {
                ingestion(o).listener((shard, counts) -> {
                    if (++commits[0] == 3) {
                        keptAtThird[0] = counts.kept();
                        Thread.currentThread().interrupt();
                    }
                }).run(sources, out);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        worker.join();
        assertThat(failure.get()).isInstanceOf(InterruptedIOException.class).hasMessageContaining("after shard 3");
        assertThat(commits[0]).isEqualTo(3);
        int[] resumedAfter = {-1};
        long[] keptResumed = {-2};
        IngestResult resumed = ingestion(o).listener(new IngestListener() {
            @Override
            public void shardCommitted(ShardManifest.Shard shard, IngestCounts counts) {}

            @Override
            public void resumed(int committedShards, IngestCounts countsSoFar) {
                resumedAfter[0] = committedShards;
                keptResumed[0] = countsSoFar.kept();
            }
        }).run(sources, out);
        assertThat(resumedAfter[0]).as("shards committed before the resume").isEqualTo(3);
        assertThat(keptResumed[0]).as("the counts committed with the third shard").isEqualTo(keptAtThird[0])
                .isEqualTo(3 * 50);
        assertThat(resumed.resumed()).isTrue();
        assertThat(IngestionFixture.contents(out)).usingRecursiveComparison()
                .isEqualTo(IngestionFixture.contents(tmp.resolve("reference")));
    }

    @Test
    void theListenerHearsOfEveryBatchBetweenShardCommits(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        IngestionFixture.corpus(in, 1, 1000);
        List<Long> batches = new ArrayList<>();
        int[] commits = {0};
        ingestion(IngestOptions.defaults().withShardSize(400)).tuning(64, 1).listener(new IngestListener() {
            @Override
            public void shardCommitted(ShardManifest.Shard shard, IngestCounts counts) {
                commits[0]++;
            }

            @Override
            public void batchWritten(long itemsThisRun) {
                batches.add(itemsThisRun);
            }
        }).run(LocalTextSources.list(in), tmp.resolve("out"));
        // 64-sentence batches: several per 400-sentence shard, the item count never going back
        assertThat(batches.size()).isGreaterThan(3 * commits[0]);
        assertThat(batches).isSorted();
        assertThat(batches.get(batches.size() - 1)).isEqualTo(1000);
    }

    @Test
    void aResumeRefusesChangedInputsOrOptions(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        IngestionFixture.corpus(in, 2, 600);
        List<TextSource> sources = LocalTextSources.list(in);
        IngestOptions o = IngestOptions.defaults().withShardSize(100);
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> ingestion(o).run(IngestionFixture.failingAfter(sources, 20_000), out))
                .hasMessageContaining("injected");
        assertThatThrownBy(() -> ingestion(o.withShardSize(50)).run(sources, out))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("other inputs, options");
        Files.writeString(in.resolve("part-01.txt"), "appended line\n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> ingestion(o).run(LocalTextSources.list(in), out))
                .isInstanceOf(IllegalStateException.class);
        // A finished directory is reused only for the same job.
        Path done = tmp.resolve("done");
        ingestion(o).run(sources, done);
        assertThatThrownBy(() -> ingestion(o.withDedupe(false)).run(sources, done))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already holds");
    }

    @Test
    void theStreamReaderResumesFromAnyPositionAndVerifiesDigests(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        IngestionFixture.corpus(in, 1, 700);
        Path out = tmp.resolve("out");
        IngestResult r = ingestion(IngestOptions.defaults().withShardSize(64)).run(LocalTextSources.list(in), out);
        List<TokenizedSentence> all = readAll(out);
        assertThat(all).hasSize((int) r.manifest().sentences());
        try (TokenShardStream s = TokenShardStream.open(out, ShardPosition.START, false)) {
            for (int i = 0; i < 150; i++) {
                s.next();
            }
            ShardPosition p = s.position();
            assertThat(p).isEqualTo(new ShardPosition(2, 150 - 128));
            assertThat(ShardPosition.parse(p.toString())).isEqualTo(p);
            try (TokenShardStream t = TokenShardStream.open(out, p, false)) {
                List<TokenizedSentence> tail = new ArrayList<>();
                while (t.hasNext()) {
                    tail.add(t.next());
                }
                assertThat(tail).isEqualTo(all.subList(150, all.size()));
                assertThat(t.position()).isEqualTo(new ShardPosition(r.manifest().shards().size(), 0));
            }
        }
        try (ShardReader shard = ShardReader.open(out.resolve(TokenShardFormat.fileName(1)))) {
            for (int i = shard.size() - 1; i >= 0; i--) {
                assertThat(shard.get(i)).isEqualTo(all.get(64 + i));
            }
        }
        Path victim = out.resolve(TokenShardFormat.fileName(3));
        byte[] bytes = Files.readAllBytes(victim);
        bytes[100] ^= 1;
        Files.write(victim, bytes);
        assertThatThrownBy(() -> TokenShardStream.open(out, ShardPosition.START, true))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("shard-00003.bin");
        Files.write(victim, java.util.Arrays.copyOf(bytes, 40));
        assertThatThrownBy(() -> ShardReader.open(victim)).hasMessageContaining("shard-00003.bin");
    }
}
