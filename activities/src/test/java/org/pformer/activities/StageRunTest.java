package org.pformer.activities;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.activities.api.StageProgress;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.store.ArtifactRef;
import org.pformer.store.LocalArtifactStore;

class StageRunTest {

    @TempDir
    Path tmp;

    private LocalArtifactStore store;
    private RecordingTracker tracker;
    private final List<StageProgress> beats = java.util.Collections.synchronizedList(new ArrayList<>());
    private StageProgress previous;
    private StageRequest request;

    private final Heartbeat heartbeat = new Heartbeat() {
        @Override
        public void beat(StageProgress progress) {
            beats.add(progress);
        }

        @Override
        public Optional<StageProgress> previousAttempt() {
            return Optional.ofNullable(previous);
        }
    };

    @BeforeEach
    void setUp() {
        store = new LocalArtifactStore(tmp.resolve("store"));
        tracker = new RecordingTracker();
        PipelineConfig config = ConfigLoader.parse("name: t\n", "t.yaml", tmp, false);
        request = new StageRequest("wf-1", "wf-1", config, StageName.STAGE1, "ab".repeat(32), Map.of());
    }

    private StageRun begin() {
        return StageRun.begin(request, store, tracker, heartbeat, tmp.resolve("work"));
    }

    private Path checkpointDir(long step) throws Exception {
        Path d = Files.createDirectories(tmp.resolve("ckpt-" + step));
        Files.writeString(d.resolve("state.json"), "{\"step\": " + step + "}");
        Files.write(d.resolve("weights.bin"), new byte[] {(byte) step, 1, 2});
        return d;
    }

    /** Preparation before the first step (world upload, model loading) may outlast the heartbeat timeout. */
    @Test
    void theStageHeartbeatsWhilePreparingAndOnlyItsOwnProgressAfterTheFirstStep() throws Exception {
        PipelineConfig config = ConfigLoader.parse("name: t\nruntime: {heartbeat_timeout_seconds: 5}\n", "t.yaml", tmp, false);
        request = new StageRequest("wf-1", "wf-1", config, StageName.STAGE1, "ab".repeat(32), Map.of());
        StageRun run = begin();
        Thread.sleep(4000); // a third of the timeout: about two beats
        assertThat(beats).as("heartbeats while preparing").hasSizeGreaterThanOrEqualTo(1)
                .allSatisfy(b -> assertThat(b.step()).isZero());
        run.step(1, 10, Map.of("loss", 1.0));
        int afterFirstStep = beats.size();
        Thread.sleep(2500);
        assertThat(beats).as("no more background heartbeats after the first step").hasSize(afterFirstStep);
        run.finish(Map.of(), Map.of(), 1);
    }

    @Test
    void aCheckpointIsUploadedPointedToThenHeartbeatedAndOnlyTheNewestTwoAreKept() throws Exception {
        StageRun run = begin();
        assertThat(tracker.calls.get(0)).isEqualTo("start wf-1/stage1 parent=wf-1");
        assertThat(tracker.calls.get(1)).contains("stage1.omega1=10.0").contains("stage1.train.batch_size=100");

        ArtifactRef first = run.checkpoint(10, checkpointDir(10));
        assertThat(beats).last().extracting(StageProgress::checkpoint).isEqualTo(first);
        assertThat(store.find("stages/" + request.key() + "/checkpoints/latest.json")).isPresent();
        run.checkpoint(20, checkpointDir(20));
        ArtifactRef third = run.checkpoint(30, checkpointDir(30));
        assertThat(beats).last().extracting(StageProgress::checkpoint).isEqualTo(third);
        assertThat(store.list("stages/" + request.key() + "/checkpoints/"))
                .extracting(ArtifactRef::uri)
                .noneMatch(u -> u.contains("step-000000010"))
                .anyMatch(u -> u.contains("step-000000020"))
                .anyMatch(u -> u.contains("step-000000030"));
    }

    @Test
    void aRetriedAttemptResumesFromItsPreviousAttemptsHeartbeat() throws Exception {
        StageRun first = begin();
        ArtifactRef at10 = first.checkpoint(10, checkpointDir(10));
        first.checkpoint(20, checkpointDir(20));
        previous = new StageProgress(10, 100, at10, Map.of(), 0, 0); // the last heartbeat that reached the server

        StageRun.Restored restored = begin().restore().orElseThrow();
        assertThat(restored.step()).isEqualTo(10);
        assertThat(Files.readString(restored.directory().resolve("state.json"))).isEqualTo("{\"step\": 10}");
    }

    @Test
    void aNewExecutionResumesFromTheLatestCheckpointOfItsStageKey() throws Exception {
        StageRun first = begin();
        first.checkpoint(10, checkpointDir(10));
        first.checkpoint(20, checkpointDir(20));
        StageRun.Restored restored = begin().restore().orElseThrow();
        assertThat(restored.step()).isEqualTo(20);
    }

    @Test
    void aCorruptLatestCheckpointFallsBackToTheOneBefore() throws Exception {
        StageRun first = begin();
        first.checkpoint(10, checkpointDir(10));
        first.checkpoint(20, checkpointDir(20));
        Files.write(store.root().resolve("stages/" + request.key() + "/checkpoints/step-000000020/weights.bin"), new byte[] {0});
        StageRun.Restored restored = begin().restore().orElseThrow();
        assertThat(restored.step()).isEqualTo(10);
    }

    @Test
    void noCheckpointMeansAFreshStart() {
        assertThat(begin().restore()).isEmpty();
    }

    @Test
    void stepsLogMetricsAndFinishReturnsTheResult() {
        StageRun run = begin();
        run.step(1, 50, Map.of("loss", 2.0));
        run.step(2, 50, Map.of("loss", 1.5));
        assertThat(beats).last().satisfies(p -> {
            assertThat(p.step()).isEqualTo(2);
            assertThat(p.totalSteps()).isEqualTo(50);
            assertThat(p.latest()).containsEntry("loss", 1.5);
        });
        ArtifactRef model = run.putBytes("model.bin", new byte[] {4, 2});
        StageResult result = run.finish(Map.of("checkpoint", model), Map.of("loss", 1.5), 2);
        assertThat(result.key()).isEqualTo(request.key());
        assertThat(result.runKey()).isEqualTo("wf-1/stage1");
        assertThat(tracker.metrics).extracting(m -> m.key() + "@" + m.step())
                .containsExactly("loss@1", "loss@2", "loss@2", "stage_time_s@2");
        assertThat(result.metrics()).as("timings are logged, not part of the (cached) result").containsOnlyKeys("loss");
        assertThat(tracker.calls).last().isEqualTo("end wf-1/stage1 FINISHED");
        assertThat(run.workDir()).doesNotExist();
    }

    /** The finish metrics say where the attempt's time went: preparation, optimizer steps, checkpoint uploads. */
    @Test
    void finishLogsWhereTheAttemptsTimeWent() throws Exception {
        StageRun run = begin();
        Thread.sleep(200); // preparing: downloads, model loading
        for (int step = 1; step <= 3; step++) {
            Thread.sleep(50); // an optimizer step of 50 ms
            run.stepTimed(0.05);
            run.progress(step, 3);
        }
        run.checkpoint(3, checkpointDir(3));
        run.finish(Map.of(), Map.of("loss", 1.0), 3);
        Map<String, Double> t = new java.util.TreeMap<>();
        tracker.metrics.stream().filter(m -> m.key().endsWith("_time_s")).forEach(m -> {
            assertThat(m.step()).isEqualTo(3);
            t.put(m.key(), m.value());
        });
        assertThat(t).containsOnlyKeys("stage_time_s", "prepare_time_s", "train_time_s", "checkpoint_time_s");
        assertThat(t.get("train_time_s")).isCloseTo(0.15, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.get("prepare_time_s")).isGreaterThanOrEqualTo(0.2).isLessThan(t.get("stage_time_s"));
        assertThat(t.get("checkpoint_time_s")).isPositive();
        assertThat(t.get("stage_time_s")).isGreaterThanOrEqualTo(
                t.get("prepare_time_s") + t.get("train_time_s") + t.get("checkpoint_time_s"));
    }
}
