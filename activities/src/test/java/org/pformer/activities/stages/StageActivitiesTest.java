package org.pformer.activities.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.activities.Heartbeat;
import org.pformer.activities.RecordingTracker;
import org.pformer.activities.StoreRegistry;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.StageProgress;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.tracking.MetricPoint;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.SafeTensorsWriter;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;

/**
 * The stage activities called directly (no Temporal) on the tiny world with a local store: the whole chain runs
 * and files its artifacts and MLflow records; a stage cancelled mid-training leaves a checkpoint and a new attempt
 * resumes from it to the same final result as an uninterrupted run; bad input fails non-retryably.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StageActivitiesTest {

    @TempDir
    static Path tmp;

    private static PipelineConfig config;
    private static String yaml;
    private static StoreRegistry stores;
    private static RecordingTracker tracker;
    private static final Map<StageName, StageResult> done = new EnumMap<>(StageName.class);
    /** The heartbeat the next activity call sees. */
    private static Heartbeat heartbeat;

    @BeforeAll
    static void setUp() {
        yaml = """
                name: stage-test
                seed: 3
                store: {uri: "%s"}
                data: {source: world}
                world: {size: tiny, seed: 1, image_size: 32}
                models:
                  vision: {preset: world-tiny}
                  llm: {preset: world-tiny}
                  text_encoder: {preset: world-tiny}
                  qformer: {num_query: 4, cross_attention_freq: 2, max_text_len: 24}
                foundation:
                  vision: {epochs: 0, max_steps: 6, batch_size: 8, warmup_steps: 2, checkpoint_every: 3, log_every: 2}
                  llm: {epochs: 0, max_steps: 6, batch_size: 8, warmup_steps: 2, checkpoint_every: 3, log_every: 2}
                ingest: {shard_size: 150}
                pformer:
                  num_prompt: 4
                  max_text_len: 24
                  train: {epochs: 0, max_steps: 4, batch_size: 8, warmup_steps: 1, checkpoint_every: 2, log_every: 1}
                stage1:
                  omega1: 10
                  train: {epochs: 0, max_steps: 6, batch_size: 4, warmup_steps: 1, checkpoint_every: 2, log_every: 1}
                stage2:
                  omega2: 100
                  train: {epochs: 0, max_steps: 4, batch_size: 4, warmup_steps: 1, checkpoint_every: 2, log_every: 1}
                eval:
                  vqa: {batch_size: 8, generation: {num_beams: 2, max_new_tokens: 3}}
                  caption: {batch_size: 8, nocaps: {num_beams: 2, max_new_tokens: 5, min_new_tokens: 1}, coco: {num_beams: 2, max_new_tokens: 5, min_new_tokens: 1}}
                  retrieval: {k_test: 3, batch_size: 16}
                """.formatted(tmp.resolve("store").toUri());
        config = ConfigLoader.parse(yaml, "stage-test.yaml", tmp, false);
        stores = new StoreRegistry();
        tracker = new RecordingTracker();
        heartbeat = quietHeartbeat(Optional.empty());
    }

    private static Heartbeat quietHeartbeat(Optional<StageProgress> previous) {
        return new Heartbeat() {
            @Override
            public void beat(StageProgress progress) {}

            @Override
            public Optional<StageProgress> previousAttempt() {
                return previous;
            }
        };
    }

    private static StageExecutor executor() {
        return new StageExecutor(new StageEnvironment(stores, tracker, tmp.resolve("work"), () -> heartbeat));
    }

    private static StageRequest request(StageName stage, String key, StageName... upstream) {
        Map<StageName, StageResult> ups = new EnumMap<>(StageName.class);
        for (StageName u : upstream) {
            ups.put(u, done.get(u));
        }
        return new StageRequest("wf-test", "wf-test", config, stage, key, ups);
    }

    private static String key(String seed) {
        return (seed + "0".repeat(64)).substring(0, 64);
    }

    private static StageResult run(StageName stage, String key, Function<StageRequest, StageResult> activity,
            StageName... upstream) {
        StageResult r = activity.apply(request(stage, key, upstream));
        done.put(stage, r);
        return r;
    }

    @Test
    @Order(1)
    void theChainRunsAndFilesEveryArtifact() {
        StageExecutor ex = executor();
        StageResult foundation = run(StageName.FOUNDATION, key("f1"), new FoundationActivitiesImpl(ex)::buildFoundation);
        assertThat(foundation.artifacts()).containsKeys(Backbones.WORLD, Backbones.VISION, Backbones.LLM,
                Backbones.TEXT_ENCODER);
        assertThat(foundation.metrics()).containsKeys("llm.before.perplexity", "llm.after.perplexity");
        assertThat(foundation.steps()).isEqualTo(12);

        StageResult ingest = run(StageName.INGEST, key("a1"), new IngestActivitiesImpl(ex)::ingestSentences,
                StageName.FOUNDATION);
        assertThat(ingest.metrics().get("kept")).isPositive();
        assertThat(ingest.artifacts()).containsKey(IngestActivitiesImpl.SHARDS);

        StageResult pformer = run(StageName.PFORMER, key("b1"), new PFormerActivitiesImpl(ex)::pretrainPFormer,
                StageName.FOUNDATION, StageName.INGEST);
        assertThat(pformer.steps()).isEqualTo(4);
        assertThat(pformer.metrics()).containsKeys("lm", "contrast", "vocab", "cls_paraphrase_margin",
                "cls_nearest_is_paraphrase");

        StageResult stage1 = run(StageName.STAGE1, key("c1"), new Stage1ActivitiesImpl(ex)::trainStage1,
                StageName.FOUNDATION, StageName.PFORMER);
        assertThat(stage1.steps()).isEqualTo(6);
        assertThat(stage1.metrics()).containsKeys("itc", "itm", "itg", "align");
        assertThat(stage1.metrics().values()).allMatch(Double::isFinite);

        StageResult stage2 = run(StageName.STAGE2, key("d1"), new Stage2ActivitiesImpl(ex)::trainStage2,
                StageName.FOUNDATION, StageName.STAGE1, StageName.PFORMER);
        assertThat(stage2.metrics()).containsKeys("lm", "align");

        // every stage has its MLflow run with params, step metrics and a FINISHED end
        for (StageName s : done.keySet()) {
            String runKey = "wf-test/" + s.id();
            assertThat(tracker.calls).as(s.id()).anyMatch(c -> c.startsWith("start " + runKey + " parent=wf-test"));
            assertThat(tracker.calls).as(s.id()).anyMatch(c -> c.startsWith("params " + runKey + " "));
            assertThat(tracker.calls).as(s.id()).anyMatch(c -> c.equals("end " + runKey + " FINISHED"));
        }
    }

    @Test
    @Order(2)
    void theEvaluationsWriteTheirReports() {
        StageExecutor ex = executor();
        EvalActivitiesImpl eval = new EvalActivitiesImpl(ex);
        StageResult vqa = run(StageName.EVAL_VQA, key("e1"), eval::evaluateVqa, StageName.FOUNDATION, StageName.STAGE2);
        assertThat(vqa.metrics()).containsKeys("vqav2.overall", "okvqa.overall", "gqa.overall");
        assertThat(vqa.metrics().get("vqav2.overall")).isBetween(0.0, 100.0);
        assertThat(vqa.artifacts()).containsKeys("vqav2_results", "vqav2_report", "gqa_results");
        StageResult caption = run(StageName.EVAL_CAPTION, key("e2"), eval::evaluateCaptioning, StageName.FOUNDATION,
                StageName.STAGE2);
        assertThat(caption.metrics()).containsKeys("nocaps.overall.cider", "nocaps.out_domain.cider", "coco.cider");
        assertThat(caption.artifacts()).containsKeys("nocaps_predictions", "nocaps_report", "coco_predictions");
        StageResult retrieval = run(StageName.EVAL_RETRIEVAL, key("e3"), eval::evaluateRetrieval,
                StageName.FOUNDATION, StageName.STAGE1);
        assertThat(retrieval.metrics()).containsKeys("txt_r1", "img_r1", "r_mean");
        assertThat(retrieval.metrics().get("txt_r10")).isGreaterThanOrEqualTo(retrieval.metrics().get("txt_r1"));
    }

    @Test
    @Order(3)
    void aCancelledStageResumesFromItsCheckpointToTheSameResult() {
        StageResult uninterrupted = done.get(StageName.STAGE1);
        StageExecutor ex = executor();
        AtomicLong beats = new AtomicLong();
        StageProgress[] last = new StageProgress[1];
        heartbeat = new Heartbeat() {
            @Override
            public void beat(StageProgress progress) {
                last[0] = progress;
                if (progress.step() >= 3 && beats.incrementAndGet() > 0) {
                    throw new ActivityCanceledException();
                }
            }

            @Override
            public Optional<StageProgress> previousAttempt() {
                return Optional.empty();
            }
        };
        String key = key("c2");
        assertThatThrownBy(() -> new Stage1ActivitiesImpl(ex).trainStage1(request(StageName.STAGE1, key,
                StageName.FOUNDATION, StageName.PFORMER))).isInstanceOf(ActivityCanceledException.class);
        assertThat(last[0].checkpoint()).as("a checkpoint was uploaded on cancellation").isNotNull();
        long stoppedAt = last[0].step();
        assertThat(stoppedAt).isLessThan(6);

        heartbeat = quietHeartbeat(Optional.of(last[0]));
        StageResult resumed = new Stage1ActivitiesImpl(ex).trainStage1(request(StageName.STAGE1, key,
                StageName.FOUNDATION, StageName.PFORMER));
        assertThat(resumed.steps()).isEqualTo(6);
        assertThat(resumed.metrics()).isEqualTo(uninterrupted.metrics());
        assertThat(resumed.artifact(Stage1ActivitiesImpl.WEIGHTS).sha256())
                .isEqualTo(uninterrupted.artifact(Stage1ActivitiesImpl.WEIGHTS).sha256());
        heartbeat = quietHeartbeat(Optional.empty());
    }

    @Test
    @Order(4)
    void aNonFiniteLossFailsNonRetryably() {
        PipelineConfig bad = ConfigLoader.parse(ConfigLoader.toYaml(config).replace("init_lr: 1.0E-4", "init_lr: 1.0E+30"),
                "bad.yaml", tmp, false);
        Map<StageName, StageResult> ups = new EnumMap<>(StageName.class);
        ups.put(StageName.FOUNDATION, done.get(StageName.FOUNDATION));
        ups.put(StageName.PFORMER, done.get(StageName.PFORMER));
        StageRequest r = new StageRequest("wf-bad", "wf-bad", bad, StageName.STAGE1, key("c3"), ups);
        assertThatThrownBy(() -> new Stage1ActivitiesImpl(executor()).trainStage1(r))
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getType()).isEqualTo(FailureTypes.NON_FINITE_LOSS);
                });
    }

    /**
     * BLIP-2 initialises the Q-Former from the pre-trained text encoder (LAVIS {@code init_Qformer}): with
     * {@code models.text_encoder.weights}, stage 1 starts from them (six small steps stay within 1e-3 of the file),
     * while without them it starts from random weights.
     */
    @Test
    @Order(5)
    void onTheWorldThePFormerAndTheQFormerStartFromTheFoundationsTextTowerUnlessWeightsAreConfigured()
            throws Exception {
        String name = "encoder.layer.0.attention.self.query.weight";
        float[] textTower = storedTensor(done.get(StageName.FOUNDATION).artifact(Backbones.TEXT_ENCODER), name);
        // BLIP-2 and the P-Former paper start both from a pre-trained BERT: on the world, the CLIP text tower
        // (the runs above made a few steps at lr <= 1e-4 from it)
        assertThat(maxAbsDiff(storedTensor(done.get(StageName.PFORMER).artifacts().values().iterator().next(),
                "bert." + name), textTower)).isLessThan(1e-3);
        assertThat(maxAbsDiff(qformerTensor(done.get(StageName.STAGE1), "Qformer.bert." + name), textTower))
                .isLessThan(1e-3);

        // models.text_encoder.weights wins: a BERT checkpoint in HF names, here the text tower shifted by 0.1
        Path bert = tmp.resolve("text-encoder.safetensors");
        float[] fromFile;
        try (NDManager m = NDManager.newBaseManager(); ArtifactStore store = ArtifactStores.open(config.store().uri())) {
            Path tower = tmp.resolve("text-tower.safetensors");
            java.nio.file.Files.write(tower, store.readBytes(done.get(StageName.FOUNDATION)
                    .artifact(Backbones.TEXT_ENCODER)));
            Map<String, NDArray> tensors = new java.util.LinkedHashMap<>();
            try (SafeTensors st = SafeTensors.open(tower)) {
                for (String t : st.shapes().keySet()) {
                    tensors.put("bert." + t, st.load(t, m).add(0.1f));
                }
            }
            SafeTensorsWriter.write(bert, tensors, Map.of());
            fromFile = tensors.get("bert." + name).toFloatArray();
        }
        PipelineConfig withBert = ConfigLoader.parse(yaml.replace("text_encoder: {preset: world-tiny}",
                "text_encoder: {preset: world-tiny, weights: '" + bert + "'}"), "bert.yaml", tmp, false);
        assertThat(withBert.models().textEncoder().weights()).isEqualTo(bert.toString());
        Map<StageName, StageResult> ups = new EnumMap<>(StageName.class);
        ups.put(StageName.FOUNDATION, done.get(StageName.FOUNDATION));
        ups.put(StageName.PFORMER, done.get(StageName.PFORMER));
        StageResult initialised = new Stage1ActivitiesImpl(executor()).trainStage1(
                new StageRequest("wf-bert", "wf-bert", withBert, StageName.STAGE1, key("c4"), ups));
        assertThat(maxAbsDiff(qformerTensor(initialised, "Qformer.bert." + name), fromFile)).isLessThan(1e-3);
        assertThat(maxAbsDiff(qformerTensor(done.get(StageName.STAGE1), "Qformer.bert." + name), fromFile))
                .isGreaterThan(5e-2);
    }

    /**
     * A worker can die after committing an ingestion shard and before logging its point. The retried attempt
     * resumes from the committed shards and logs the last of them again, so every shard's step reaches MLflow (the
     * spooling tracker keeps the first point of a step, so one that did arrive is not repeated).
     */
    @Test
    @Order(6)
    void aRetriedIngestionLogsTheShardItsPredecessorCommittedButDidNotLog() {
        StageResult uninterrupted = done.get(StageName.INGEST);
        long shards = uninterrupted.metrics().get("shards").longValue();
        assertThat(shards).as("shards of the world's corpus (the lost one must not be the last)").isGreaterThanOrEqualTo(3);
        RecordingTracker saved = tracker;
        try {
            RecordingTracker dying = new RecordingTracker() {
                @Override
                public void logMetrics(org.pformer.activities.tracking.RunKey run, java.util.List<MetricPoint> points) {
                    if (points.stream().anyMatch(p -> p.key().equals("items") && p.step() == 2)) {
                        throw new IllegalStateException("worker killed after committing shard 2, before logging it");
                    }
                    super.logMetrics(run, points);
                }
            };
            tracker = dying;
            assertThatThrownBy(() -> new IngestActivitiesImpl(executor()).ingestSentences(
                    request(StageName.INGEST, key("a2"), StageName.FOUNDATION)))
                    .hasStackTraceContaining("worker killed after committing shard 2");
            assertThat(itemSteps(dying)).containsExactly(1L);

            RecordingTracker retry = new RecordingTracker();
            tracker = retry;
            StageResult resumed = new IngestActivitiesImpl(executor()).ingestSentences(
                    request(StageName.INGEST, key("a2"), StageName.FOUNDATION));
            assertThat(resumed.metrics()).isEqualTo(uninterrupted.metrics());
            // shard 2 again (resumed after it), then the rest, then the final metrics (ingest reports 0 steps)
            java.util.List<Long> expected = new java.util.ArrayList<>();
            for (long s = 2; s <= shards; s++) {
                expected.add(s);
            }
            expected.add(0L);
            assertThat(itemSteps(retry)).isEqualTo(expected);
        } finally {
            tracker = saved;
        }
    }

    private static java.util.List<Long> itemSteps(RecordingTracker t) {
        return t.metrics.stream().filter(p -> p.key().equals("items")).map(MetricPoint::step).toList();
    }

    private static float[] storedTensor(ArtifactRef ref, String name) throws Exception {
        Path file = tmp.resolve("stored-" + ref.sha256().substring(0, 12) + ".safetensors");
        try (ArtifactStore store = ArtifactStores.open(config.store().uri());
             NDManager m = NDManager.newBaseManager()) {
            java.nio.file.Files.write(file, store.readBytes(ref));
            try (SafeTensors st = SafeTensors.open(file)) {
                return st.load(name, m).toFloatArray();
            }
        }
    }

    private static float[] qformerTensor(StageResult stage1, String name) throws Exception {
        Path file = tmp.resolve("stage1-" + stage1.key().substring(0, 4) + ".safetensors");
        try (ArtifactStore store = ArtifactStores.open(config.store().uri()); NDManager m = NDManager.newBaseManager()) {
            java.nio.file.Files.write(file, store.readBytes(stage1.artifact(Stage1ActivitiesImpl.WEIGHTS)));
            try (SafeTensors st = SafeTensors.open(file)) {
                return st.load(name, m).toFloatArray();
            }
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
