package org.pformer.activities.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.activities.Heartbeat;
import org.pformer.activities.PipelineActivitiesImpl;
import org.pformer.activities.RecordingTracker;
import org.pformer.activities.StoreRegistry;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.StageProgress;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.infra.LocalServices;
import org.pformer.store.S3ArtifactStore;

/**
 * Stage 1 with {@code data.sentences: s3://…/} against the real local S3 server: the pre-flight fingerprint (hence
 * the stage cache key) follows the objects under the prefix, the ingest activity streams them into shards, and an
 * empty prefix fails non-retryably naming it.
 */
class IngestFromS3IT {

    @TempDir
    static Path tmp;

    private static AmazonS3 s3;
    private static String bucket;
    private static final String ROOT = "it/ingest-activity-" + UUID.randomUUID() + "/";
    private static StoreRegistry stores;

    @BeforeAll
    static void setUp() throws Exception {
        LocalServices.s3Endpoint();
        LocalServices.env("AWS_ACCESS_KEY_ID");
        bucket = LocalServices.env("PFORMER_S3_BUCKET");
        s3 = S3ArtifactStore.environmentClient();
        stores = new StoreRegistry();
        Files.writeString(tmp.resolve("pairs.json"), "[]");
        Files.write(Files.createDirectories(tmp.resolve("images")).resolve("1.png"), new byte[] {1});
    }

    @AfterAll
    static void tearDown() {
        if (s3 != null) {
            for (S3ObjectSummary o : s3.listObjectsV2(bucket, ROOT).getObjectSummaries()) {
                s3.deleteObject(bucket, o.getKey());
            }
            s3.shutdown();
        }
        if (stores != null) {
            stores.close();
        }
    }

    private static void put(String key, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(bytes.length);
        s3.putObject(bucket, ROOT + key, new ByteArrayInputStream(bytes), meta);
    }

    private static PipelineConfig config(String sentences) {
        Path fixtures = LocalServices.repoRoot().resolve("datasets/src/test/resources/org/pformer/datasets/fixtures");
        String yaml = """
                name: s3-ingest
                store: {uri: "%s"}
                data:
                  source: files
                  sentences: ["%s"]
                  pairs: [{annotations: pairs.json, images: images}]
                models:
                  llm: {tokenizer: "%s"}
                  text_encoder: {tokenizer: "%s"}
                ingest: {shard_size: 40}
                pformer: {max_text_len: 24}
                """.formatted(tmp.resolve("store").toUri(), sentences, fixtures.resolve("fixture_llm_tokenizer.json"),
                fixtures.resolve("fixture_pformer_tokenizer.json"));
        return ConfigLoader.parse(yaml, "s3-ingest.yaml", tmp, false);
    }

    private static StageResult ingest(PipelineConfig config, String key) {
        Heartbeat quiet = new Heartbeat() {
            @Override
            public void beat(StageProgress progress) {}

            @Override
            public Optional<StageProgress> previousAttempt() {
                return Optional.empty();
            }
        };
        StageExecutor executor = new StageExecutor(new StageEnvironment(stores, new RecordingTracker(),
                tmp.resolve("work"), () -> quiet));
        return new IngestActivitiesImpl(executor).ingestSentences(new StageRequest("wf-s3", "wf-s3", config,
                StageName.INGEST, (key + "0".repeat(64)).substring(0, 64), Map.of()));
    }

    @Test
    void theStageReadsAnS3PrefixAndItsCacheKeyFollowsTheObjects() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            a.append("a red circle left of a blue star number ").append(i).append('\n');
            b.append("{\"caption\": \"a green heart above a square number ").append(i).append("\"}\n");
        }
        put("corpus/", "");
        put("corpus/a.txt", a.toString());
        put("corpus/sub/b.jsonl", b.toString());
        String uri = "s3://" + bucket + "/" + ROOT + "corpus/";
        PipelineConfig config = config(uri);
        PipelineActivitiesImpl pipeline = new PipelineActivitiesImpl(stores, new RecordingTracker());

        Map<String, String> before = pipeline.preflight(config);
        StageResult result = ingest(config, "a1");
        assertThat(result.metrics()).containsEntry("kept", 240.0).containsEntry("items", 240.0)
                .containsEntry("shards", 6.0);
        assertThat(result.artifacts()).containsKey(IngestActivitiesImpl.SHARDS);

        assertThat(pipeline.preflight(config)).isEqualTo(before);
        put("corpus/sub/b.jsonl", b.toString().replace("green", "white")); // same size, other bytes
        assertThat(pipeline.preflight(config).get("sentences")).isNotEqualTo(before.get("sentences"));
        put("corpus/sub/c.txt", "one more sentence\n");
        Map<String, String> added = pipeline.preflight(config);
        assertThat(added.get("sentences")).isNotEqualTo(before.get("sentences"));
        assertThat(added.get("pairs")).isEqualTo(before.get("pairs"));
    }

    @Test
    void anEmptyPrefixFailsNonRetryablyNamingIt() {
        put("empty/", "");
        String uri = "s3://" + bucket + "/" + ROOT + "empty/";
        PipelineConfig config = config(uri);
        assertThatThrownBy(() -> ingest(config, "e1")).isInstanceOf(ApplicationFailure.class)
                .satisfies(e -> {
                    ApplicationFailure f = (ApplicationFailure) e;
                    assertThat(f.getType()).isEqualTo(FailureTypes.INVALID_DATA);
                    assertThat(f.isNonRetryable()).isTrue();
                })
                .hasMessageContaining("no objects under " + uri);
        assertThatThrownBy(() -> new PipelineActivitiesImpl(stores, new RecordingTracker()).preflight(config))
                .isInstanceOf(ApplicationFailure.class).hasMessageContaining("input sentences")
                .hasMessageContaining("no objects under " + uri);
    }
}
