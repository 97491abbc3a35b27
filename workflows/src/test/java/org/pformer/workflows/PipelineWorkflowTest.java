package org.pformer.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;

/** The workflows' logic on Temporal's test server, with recording activities. */
class PipelineWorkflowTest {

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private RecordingActivities activities;
    private final TaskQueues queues = TaskQueues.withPrefix("t-");

    static PipelineConfig config(String extra) {
        return TestPipelines.config(extra);
    }

    @BeforeEach
    void start() {
        activities = new RecordingActivities();
        env = TestPipelines.start(queues, activities);
        client = env.getWorkflowClient();
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private PipelineWorkflow pipeline(String id) {
        return client.newWorkflowStub(PipelineWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(queues.pipeline()).build());
    }

    private PipelineResult run(String id, PipelineConfig c) {
        return pipeline(id).run(new PipelineRequest(c, "test.yaml", null, "abc", queues));
    }

    @Test
    void runsEveryStageInOrderThenTheEvaluationsAndLogsTheParentRun() {
        PipelineResult r = run("p1", config(""));
        List<StageName> order = activities.stageCalls.stream().map(s -> s.stage()).toList();
        assertThat(order.subList(0, 5)).containsExactly(StageName.FOUNDATION, StageName.INGEST, StageName.PFORMER,
                StageName.STAGE1, StageName.STAGE2);
        assertThat(order.subList(5, 8)).containsExactlyInAnyOrder(StageName.EVAL_VQA, StageName.EVAL_CAPTION,
                StageName.EVAL_RETRIEVAL);
        assertThat(r.stages()).hasSize(8);
        assertThat(r.metrics()).containsOnlyKeys("vqa/score", "caption/score", "retrieval/score");
        assertThat(activities.trackingCalls).containsExactly("start p1",
                "end p1 FINISHED [caption/score, retrieval/score, vqa/score]");
        // every stage request carries its upstream results, never more
        var stage2 = activities.stageCalls.stream().filter(s -> s.stage() == StageName.STAGE2).findFirst().orElseThrow();
        assertThat(stage2.upstream()).containsOnlyKeys(StageName.FOUNDATION, StageName.STAGE1, StageName.PFORMER);
        assertThat(stage2.runKey()).isEqualTo("p1/stage2");
    }

    @Test
    void aSecondRunOfTheSameConfigurationIsServedFromTheCache() {
        PipelineResult first = run("p1", config(""));
        int calls = activities.stageCalls.size();
        PipelineResult second = run("p2", config(""));
        assertThat(activities.stageCalls).hasSize(calls);
        assertThat(second.metrics()).isEqualTo(first.metrics());
        WorkflowStub stub = client.newUntypedWorkflowStub("p2");
        PipelineStatus status = stub.query("status", PipelineStatus.class);
        assertThat(status.stages()).allMatch(s -> s.state().equals("CACHED"));

        // changing omega2 re-runs stage 2 and what follows it, nothing upstream
        run("p3", config("stage2: {omega2: 50}\n"));
        assertThat(activities.stageCalls.subList(calls, activities.stageCalls.size()))
                .extracting(s -> s.stage())
                .containsExactlyInAnyOrder(StageName.STAGE2, StageName.EVAL_VQA, StageName.EVAL_CAPTION);
    }

    @Test
    void theBlip2BaselineSkipsThePFormer() {
        run("base", config("stage1: {omega1: 0}\nstage2: {omega2: 0}\n"));
        assertThat(activities.calls(StageName.PFORMER)).isZero();
        var stage1 = activities.stageCalls.stream().filter(s -> s.stage() == StageName.STAGE1).findFirst().orElseThrow();
        assertThat(stage1.upstream()).containsOnlyKeys(StageName.FOUNDATION);
    }

    @Test
    void theAblationGridSharesEveryUpstreamStage() {
        AblationWorkflow grid = client.newWorkflowStub(AblationWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId("grid").setTaskQueue(queues.pipeline()).build());
        AblationResult result = grid.run(new AblationRequest(config(""), "test.yaml", List.of(0.0, 10.0),
                List.of(0.0, 100.0), null, "abc", queues));

        assertThat(result.rows()).extracting(r -> r.omega1() + "/" + r.omega2())
                .containsExactly("0.0/0.0", "0.0/100.0", "10.0/0.0", "10.0/100.0");
        assertThat(activities.calls(StageName.FOUNDATION)).isEqualTo(1);
        assertThat(activities.calls(StageName.INGEST)).isEqualTo(1);
        assertThat(activities.calls(StageName.PFORMER)).isEqualTo(1);
        assertThat(activities.calls(StageName.STAGE1)).isEqualTo(2);
        assertThat(activities.calls(StageName.STAGE2)).isEqualTo(4);
        assertThat(activities.calls(StageName.EVAL_RETRIEVAL)).isEqualTo(2); // retrieval reads stage 1 only
        assertThat(activities.calls(StageName.EVAL_VQA)).isEqualTo(4);
        for (StageName s : StageName.values()) {
            assertThat(activities.calls(s)).as("%s computed once per key", s).isEqualTo(activities.distinctKeys(s));
        }
        assertThat(activities.trackingCalls).contains("start grid", "start grid/seed42-w1_0-w2_0 parent=grid");
        assertThat(activities.trackingCalls.get(activities.trackingCalls.size() - 1)).startsWith("end grid FINISHED");
    }

    @Test
    void wavesNeverComputeASharedStageTwiceAtOnce() {
        PipelineConfig c = config("");
        List<PipelineConfig> points = List.of(c.withOmegas(0, 0), c.withOmegas(0, 50), c.withOmegas(0, 100));
        List<List<PipelineConfig>> waves = AblationWorkflowImpl.waves(points);
        // the first point needing the P-Former leads; the others then run in parallel from the cache
        assertThat(waves).hasSize(2);
        assertThat(waves.get(0)).containsExactly(points.get(1));
        assertThat(waves.get(1)).containsExactly(points.get(0), points.get(2));
    }

    @Test
    void pauseStopsTheRunningStageAndResumeRunsItAgain() throws Exception {
        activities.blockUntilCancelled = StageName.STAGE1;
        PipelineWorkflow wf = pipeline("paused");
        CompletableFuture<PipelineResult> result = WorkflowClient.execute(wf::run,
                new PipelineRequest(config(""), "test.yaml", null, "abc", queues));
        WorkflowStub stub = client.newUntypedWorkflowStub("paused");
        waitFor(() -> activities.calls(StageName.STAGE1) == 1);
        stub.signal("pause");
        assertThat(stub.query("status", PipelineStatus.class).state()).isEqualTo("PAUSED");
        // the stage itself is paused once its activity has seen the cancellation and stopped at its checkpoint
        waitFor(() -> stub.query("status", PipelineStatus.class).stages().stream()
                .anyMatch(s -> s.stage() == StageName.STAGE1 && s.state().equals("PAUSED")));
        assertThat(activities.calls(StageName.STAGE2)).isZero();

        stub.signal("resume");
        PipelineResult r = result.get();
        assertThat(activities.calls(StageName.STAGE1)).isEqualTo(2);
        assertThat(r.stages()).containsKey(StageName.EVAL_VQA);
    }

    @Test
    void aNonRetryableFailureEndsThePipelineAtOnceAndMarksTheRunFailed() {
        activities.failNonRetryable = StageName.PFORMER;
        assertThatThrownBy(() -> run("nan", config("")))
                .isInstanceOf(WorkflowFailedException.class)
                .rootCause().isInstanceOf(ApplicationFailure.class).hasMessageContaining("loss became NaN");
        assertThat(activities.calls(StageName.PFORMER)).isEqualTo(1);
        assertThat(activities.calls(StageName.STAGE1)).isZero();
        assertThat(activities.trackingCalls).contains("end nan FAILED []");
        PipelineStatus status = client.newUntypedWorkflowStub("nan").query("status", PipelineStatus.class);
        assertThat(status.state()).isEqualTo("FAILED");
        assertThat(status.stages()).anyMatch(s -> s.stage() == StageName.PFORMER && s.state().equals("FAILED"));
    }

    @Test
    void aFinishedStageIsRecordedWhileTheNextStageIsLookedUp() {
        activities.slowRecord = StageName.INGEST;
        run("overlap", config(""));
        List<String> calls = List.copyOf(activities.bookkeeping);
        List<Integer> lookups = java.util.stream.IntStream.range(0, calls.size())
                .filter(i -> calls.get(i).startsWith("lookup")).boxed().toList();
        // lookups: foundation, ingestion, P-Former, …; the P-Former's ran while the ingestion's record was in flight
        assertThat(lookups.get(2)).isLessThan(calls.indexOf("record-end INGEST"));
        assertThat(calls.get(lookups.get(2))).isEqualTo("lookup miss");
        // and the run ended only after every stage's record
        assertThat(calls).filteredOn(c -> c.startsWith("record-end")).hasSize(8);
    }

    @Test
    void aStageStillBeingRecordedWhenTheNextFailsIsRecordedBeforeTheRunEnds() {
        activities.slowRecord = StageName.INGEST;
        activities.failNonRetryable = StageName.PFORMER;
        assertThatThrownBy(() -> run("late-record", config(""))).isInstanceOf(WorkflowFailedException.class);
        assertThat(activities.bookkeeping).contains("record-end INGEST");
        assertThat(activities.cache.values()).extracting(StageResult::stage)
                .containsExactlyInAnyOrder(StageName.FOUNDATION, StageName.INGEST);
        assertThat(activities.trackingCalls).contains("end late-record FAILED []");
        // a rerun of the fixed configuration reuses both
        activities.failNonRetryable = null;
        run("late-record-rerun", config(""));
        assertThat(activities.calls(StageName.INGEST)).isEqualTo(1);
        assertThat(activities.calls(StageName.FOUNDATION)).isEqualTo(1);
    }

    @Test
    void cancellationReachesTheRunningStageAndMarksTheRunKilled() throws Exception {
        activities.blockUntilCancelled = StageName.INGEST;
        PipelineWorkflow wf = pipeline("cancelled");
        CompletableFuture<PipelineResult> result = WorkflowClient.execute(wf::run,
                new PipelineRequest(config(""), "test.yaml", null, "abc", queues));
        waitFor(() -> activities.calls(StageName.INGEST) == 1);
        client.newUntypedWorkflowStub("cancelled").cancel();
        assertThatThrownBy(result::get).hasRootCauseInstanceOf(io.temporal.failure.CanceledFailure.class);
        waitFor(() -> activities.trackingCalls.contains("end cancelled KILLED []"));
        assertThat(activities.blockUntilCancelled).as("the activity saw the cancellation").isNull();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 30 s");
            }
            Thread.sleep(20);
        }
    }
}
