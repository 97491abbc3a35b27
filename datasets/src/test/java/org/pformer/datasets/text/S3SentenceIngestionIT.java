package org.pformer.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.io.LocalTextSources;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.io.S3TextSources;
import org.pformer.datasets.io.TextSource;
import org.pformer.datasets.io.TextSources;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.infra.LocalServices;
import org.pformer.store.S3ArtifactStore;

/**
 * Sentence ingestion from an S3 prefix of the real local S3 server (s3proxy, {@code make services-up}), with the
 * client the pipeline builds from the environment: the output equals ingesting the same files from a local
 * directory, an interrupted run resumes from S3 to the same bytes, and bad locations fail naming the URI. Every
 * test writes under its own random prefix of the pipeline's bucket; everything is removed afterwards.
 */
class S3SentenceIngestionIT {

    private static PFormerTokenizer pformer;
    private static LlmTokenizer llm;
    private static AmazonS3 s3;
    private static String bucket;
    private static final String ROOT = "it/s3-ingest-" + UUID.randomUUID() + "/";

    @BeforeAll
    static void setUp() throws IOException {
        LocalServices.s3Endpoint();
        LocalServices.env("AWS_ACCESS_KEY_ID");
        bucket = LocalServices.env("PFORMER_S3_BUCKET");
        s3 = S3ArtifactStore.environmentClient();
        pformer = IngestionFixture.pformer();
        llm = IngestionFixture.llm();
    }

    @AfterAll
    static void tearDown() {
        if (s3 != null) {
            for (S3ObjectSummary o : s3.listObjectsV2(bucket, ROOT).getObjectSummaries()) {
                s3.deleteObject(bucket, o.getKey());
            }
            s3.shutdown();
        }
        if (pformer != null) {
            pformer.close();
            llm.close();
        }
    }

    private static SentenceIngestion ingestion(IngestOptions o) {
        return new SentenceIngestion(o, pformer, llm).tuning(64, 2);
    }

    /** A corpus in every accepted format: plain text, JSONL (gzip'd), a gzip'd LAVIS list, in nested folders. */
    private static Path corpus(Path dir) throws IOException {
        IngestionFixture.corpus(dir, 2, 600);
        Files.createDirectories(dir.resolve("extra/lavis"));
        StringBuilder jsonl = new StringBuilder();
        StringBuilder lavis = new StringBuilder("[");
        for (int i = 0; i < 150; i++) {
            jsonl.append("{\"caption\": \"a small red circle left of star ").append(i).append("\"}\n");
            lavis.append(i == 0 ? "" : ",\n").append("{\"image\": \"img").append(i)
                    .append(".png\", \"caption\": \"a large blue square above heart ").append(i).append("\"}");
        }
        jsonl.append("not json\n");
        IngestionFixture.gzip(dir.resolve("extra/captions.jsonl.gz"), jsonl.toString());
        IngestionFixture.gzip(dir.resolve("extra/lavis/pairs.json.gz"), lavis.append("]").toString());
        return dir;
    }

    /** Uploads every file below {@code dir} under {@code prefix}, plus directory markers and a hidden object. */
    private static String upload(Path dir, String prefix) throws IOException {
        put(prefix, new byte[0]);
        put(prefix + "extra/", new byte[0]);
        put(prefix + ".staging/part-99.txt", "a hidden sentence that must not be read\n".getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                s3.putObject(bucket, prefix + dir.relativize(f).toString().replace('\\', '/'), f.toFile());
            }
        }
        return "s3://" + bucket + "/" + prefix;
    }

    private static void put(String key, byte[] bytes) {
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(bytes.length);
        s3.putObject(bucket, key, new ByteArrayInputStream(bytes), meta);
    }

    private static TreeMap<String, byte[]> shards(Path dir) throws IOException {
        TreeMap<String, byte[]> all = IngestionFixture.contents(dir);
        all.keySet().removeIf(name -> !name.startsWith("shard-"));
        return all;
    }

    @Test
    void aPrefixIngestsExactlyAsTheSameFilesOnLocalDisk(@TempDir Path tmp) throws Exception {
        Path local = corpus(tmp.resolve("corpus"));
        String uri = upload(local, ROOT + "same/corpus/");
        IngestOptions o = IngestOptions.defaults().withShardSize(100);

        List<TextSource> fromS3 = TextSources.list(List.of(uri), s3);
        assertThat(fromS3).extracting(TextSource::name)
                .containsExactlyElementsOf(LocalTextSources.list(local).stream().map(TextSource::name).toList())
                .containsExactly("extra/captions.jsonl.gz", "extra/lavis/pairs.json.gz", "part-00.txt", "part-01.txt");
        assertThat(fromS3).allSatisfy(s -> assertThat(s.revision()).isNotBlank());

        IngestResult viaS3 = ingestion(o).run(fromS3, tmp.resolve("s3-out"));
        IngestResult viaDisk = ingestion(o).run(LocalTextSources.list(local), tmp.resolve("local-out"));
        assertThat(viaS3.manifest().sentences()).isEqualTo(viaDisk.manifest().sentences()).isGreaterThan(1000);
        assertThat(viaS3.manifest().shards()).isEqualTo(viaDisk.manifest().shards());
        assertThat(viaS3.manifest().inputs()).isEqualTo(viaDisk.manifest().inputs());
        assertThat(viaS3.manifest().counts()).isEqualTo(viaDisk.manifest().counts());
        assertThat(viaS3.manifest().counts().malformed()).containsEntry("invalid_json", 1L);
        assertThat(shards(tmp.resolve("s3-out"))).usingRecursiveComparison().isEqualTo(shards(tmp.resolve("local-out")));
        // the S3 job is a different job: it is pinned to the objects' ETags
        assertThat(viaS3.manifest().job()).isNotEqualTo(viaDisk.manifest().job());

        // the same prefix without its trailing slash, and one object by its key
        assertThat(TextSources.list(List.of(uri.substring(0, uri.length() - 1)), s3)).extracting(TextSource::name)
                .containsExactlyElementsOf(fromS3.stream().map(TextSource::name).toList());
        List<TextSource> single = TextSources.list(List.of(uri + "extra/lavis/pairs.json.gz"), s3);
        assertThat(single).extracting(TextSource::name).containsExactly("pairs.json.gz");
        IngestResult one = ingestion(o).run(single, tmp.resolve("single-out"));
        assertThat(one.manifest().sentences()).isEqualTo(150);
        // several locations, local and S3 mixed, are named by their own names
        assertThat(TextSources.list(List.of(uri, local.resolve("part-00.txt").toString()), s3))
                .extracting(TextSource::name).startsWith("corpus/extra/captions.jsonl.gz").endsWith("part-00.txt");
    }

    @Test
    void anInterruptedIngestionFromS3ResumesToTheBytesOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        String uri = upload(corpus(tmp.resolve("corpus")), ROOT + "resume/");
        IngestOptions o = IngestOptions.defaults().withShardSize(60);
        IngestResult reference = ingestion(o).run(TextSources.list(List.of(uri), s3), tmp.resolve("reference"));
        assertThat(reference.manifest().shards()).hasSizeGreaterThan(15);

        Path out = tmp.resolve("out");
        int[] commits = {0};
        // a crash right after the 12th shard was committed: past the first input, mid-way through the corpus
        assertThatThrownBy(() -> ingestion(o).listener((shard, counts) -> {
            if (++commits[0] == 12) {
                throw new IllegalStateException("injected crash after shard " + shard.file());
            }
        }).run(TextSources.list(List.of(uri), s3), out)).hasMessageContaining("injected crash");
        assertThat(out.resolve(SentenceIngestion.STATE_FILE)).exists();
        assertThat(out.resolve(ShardManifest.FILE)).doesNotExist();

        // a new worker lists the prefix again (a fresh client) and continues from the committed cursor
        AmazonS3 fresh = S3ArtifactStore.environmentClient();
        try {
            IngestResult resumed = ingestion(o).run(TextSources.list(List.of(uri), fresh), out);
            assertThat(resumed.resumed()).isTrue();
            assertThat(resumed.itemsThisRun()).isLessThan(reference.itemsThisRun());
        } finally {
            fresh.shutdown();
        }
        assertThat(IngestionFixture.contents(out)).usingRecursiveComparison()
                .isEqualTo(IngestionFixture.contents(tmp.resolve("reference")));
    }

    @Test
    void anObjectReplacedBetweenListingAndReadingIsAnErrorNeverAMix(@TempDir Path tmp) throws Exception {
        Path local = corpus(tmp.resolve("corpus"));
        String uri = upload(local, ROOT + "changed/");
        IngestOptions o = IngestOptions.defaults().withShardSize(60);
        List<TextSource> listed = TextSources.list(List.of(uri), s3);

        // same size, other bytes: only the ETag tells
        byte[] original = Files.readAllBytes(local.resolve("part-01.txt"));
        byte[] replaced = original.clone();
        replaced[0] = (byte) (replaced[0] == 'x' ? 'y' : 'x');
        put(ROOT + "changed/part-01.txt", replaced);
        assertThatThrownBy(() -> ingestion(o).run(listed, tmp.resolve("out")))
                .isInstanceOf(MalformedDataException.class)
                .hasMessageContaining(uri + "part-01.txt")
                .hasMessageContaining("was replaced")
                .hasMessageContaining("must not change while it is ingested");

        // an interrupted run does not resume over a replaced object either: its job is pinned to the ETags
        put(ROOT + "changed/part-01.txt", original);
        Path out = tmp.resolve("out2");
        int[] commits = {0};
        assertThatThrownBy(() -> ingestion(o).listener((shard, counts) -> {
            if (++commits[0] == 3) {
                throw new IllegalStateException("injected crash");
            }
        }).run(TextSources.list(List.of(uri), s3), out)).hasMessageContaining("injected crash");
        put(ROOT + "changed/part-01.txt", replaced);
        assertThatThrownBy(() -> ingestion(o).run(TextSources.list(List.of(uri), s3), out))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("belongs to an ingestion of other inputs");

        // deleted after listing
        List<TextSource> again = TextSources.list(List.of(uri), s3);
        s3.deleteObject(bucket, ROOT + "changed/part-01.txt");
        assertThatThrownBy(() -> again.get(3).open()).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining(uri + "part-01.txt: was deleted after it was listed");
    }

    @Test
    void badLocationsFailNamingTheUriAndWhatWasExpected(@TempDir Path tmp) {
        String empty = "s3://" + bucket + "/" + ROOT + "empty/";
        put(ROOT + "empty/", new byte[0]);
        put(ROOT + "empty/.keep", new byte[0]);
        assertThatThrownBy(() -> TextSources.list(List.of(empty), s3)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no objects under " + empty);
        String nothing = "s3://" + bucket + "/" + ROOT + "never-written";
        assertThatThrownBy(() -> TextSources.list(List.of(nothing), s3)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no objects under " + nothing + "/");

        String noBucket = "s3://pformer-no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8) + "/corpus/";
        assertThatThrownBy(() -> TextSources.list(List.of(noBucket), s3)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(noBucket).hasMessageContaining("does not exist; expected an existing bucket");

        put(ROOT + "denied/a.txt", "a red circle\n".getBytes(StandardCharsets.UTF_8));
        AmazonS3 wrong = LocalServices.s3Client("not-the-key", "not-the-secret");
        try {
            String denied = "s3://" + bucket + "/" + ROOT + "denied/";
            assertThatThrownBy(() -> S3TextSources.list(wrong, denied)).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining(denied).hasMessageContaining("access denied");
        } finally {
            wrong.shutdown();
        }
        // a file whose name tells no format is refused by the reader, naming it
        put(ROOT + "noformat/corpus.csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ingestion(IngestOptions.defaults()).run(
                TextSources.list(List.of("s3://" + bucket + "/" + ROOT + "noformat/"), s3),
                tmp.resolve("out")))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("corpus.csv")
                .hasMessageContaining("expected .txt");
    }
}
