package org.pformer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mlflow.api.proto.Service;
import org.pformer.activities.api.StageResult;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;
import org.pformer.workflows.PipelineResult;
import org.pformer.workflows.PipelineStatus;

/**
 * The product end to end on the real local Temporal, MLflow and S3 servers, with the worker as a separate JVM as
 * users run it: the tiny world pipeline completes and every stage is in MLflow; a worker killed with SIGKILL in the
 * middle of a training stage is replaced and the pipeline completes with exactly the uninterrupted run's final
 * metrics; a re-run of the same configuration completes from the stage cache without training.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {

    private static final Duration PIPELINE_TIMEOUT = Duration.ofMinutes(20);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static PipelineHarness harness;
    private static PipelineConfig base;
    private static PipelineResult uninterrupted;

    @BeforeAll
    static void setUp() {
        harness = new PipelineHarness("e2e-" + RUN + "-", Path.of("target", "e2e"));
        PipelineConfig tiny = ConfigLoader.load(PipelineHarness.repoRoot().resolve("infra/config/world-tiny.yaml"));
        base = PipelineHarness.withStore(tiny, "s3://pformer-artifacts/e2e-" + RUN + "-a");
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        if (harness != null) {
            harness.close();
        }
    }

    private static PipelineResult await(WorkflowStub stub) throws Exception {
        return PipelineHarness.await(stub, PIPELINE_TIMEOUT);
    }

    @Test
    @Order(1)
    void theTinyPipelineCompletesAndEveryStageIsInMlflow() throws Exception {
        harness.startWorker("worker-1");
        String id = "e2e-" + RUN + "-first";
        uninterrupted = await(harness.start(base, id));
        assertThat(uninterrupted.stages().keySet()).containsExactlyInAnyOrder(StageName.values());
        assertThat(uninterrupted.stages().get(StageName.EVAL_VQA).metrics()).containsKey("vqav2.overall");
        assertThat(uninterrupted.stages().get(StageName.STAGE2).steps()).isEqualTo(20);

        Map<StageName, Service.Run> runs = harness.stageRuns(base.name(), id, StageName.values().length,
                Duration.ofMinutes(2));
        for (StageName s : StageName.values()) {
            assertThat(runs).as("MLflow run of stage " + s.id()).containsKey(s);
            Service.Run r = runs.get(s);
            assertThat(r.getInfo().getStatus()).as(s.id()).isEqualTo(Service.RunStatus.FINISHED);
            assertThat(r.getData().getParamsList()).as(s.id() + " params").isNotEmpty();
            for (String metric : uninterrupted.stages().get(s).metrics().keySet()) {
                assertThat(r.getData().getMetricsList()).as(s.id() + " metric " + metric)
                        .anyMatch(m -> m.getKey().equals(metric));
            }
        }
    }

    @Test
    @Order(2)
    void aWorkerKilledMidTrainingIsReplacedAndTheResultIsIdentical() throws Exception {
        harness.killWorkers();
        Process victim = harness.startWorker("worker-2");
        PipelineConfig config = PipelineHarness.withStore(base, "s3://pformer-artifacts/e2e-" + RUN + "-b");
        String id = "e2e-" + RUN + "-killed";
        WorkflowStub stub = harness.start(config, id);
        ArtifactStore store = ArtifactStores.open(config.store().uri());
        long deadline = System.currentTimeMillis() + PIPELINE_TIMEOUT.toMillis();
        String killedIn = null;
        while (killedIn == null && System.currentTimeMillis() < deadline) {
            for (PipelineStatus.Stage s : harness.status(id).stages()) {
                if (s.stage() == StageName.STAGE1 && "RUNNING".equals(s.state())
                        && store.find("stages/" + s.key() + "/checkpoints/latest.json").isPresent()) {
                    killedIn = s.stage().id();
                }
            }
            Thread.sleep(250);
        }
        assertThat(killedIn).as("stage 1 reached its first checkpoint").isNotNull();
        victim.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no last checkpoint
        harness.startWorker("worker-3");
        PipelineResult result = await(stub);
        for (StageName s : StageName.values()) {
            StageResult a = uninterrupted.stages().get(s);
            StageResult b = result.stages().get(s);
            assertThat(b.metrics()).as("final metrics of " + s.id()).isEqualTo(a.metrics());
            assertThat(b.steps()).as("steps of " + s.id()).isEqualTo(a.steps());
        }
        store.close();
    }

    @Test
    @Order(3)
    void aRerunOfTheSameConfigurationCompletesFromTheCache() throws Exception {
        String id = "e2e-" + RUN + "-rerun";
        PipelineResult again = await(harness.start(base, id));
        assertThat(harness.status(id).stages()).allSatisfy(s -> assertThat(s.state()).as(s.stage().id()).isEqualTo("CACHED"));
        for (StageName s : StageName.values()) {
            assertThat(again.stages().get(s).key()).isEqualTo(uninterrupted.stages().get(s).key());
            assertThat(again.stages().get(s).metrics()).isEqualTo(uninterrupted.stages().get(s).metrics());
        }
    }
}
