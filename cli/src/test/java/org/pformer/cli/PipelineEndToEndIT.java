package org.pformer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.config.StoreConfig;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;
import org.pformer.workflows.PipelineRequest;
import org.pformer.workflows.PipelineResult;
import org.pformer.workflows.PipelineStatus;
import org.pformer.workflows.PipelineWorkflow;

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
    private static final TaskQueues QUEUES = TaskQueues.withPrefix("e2e-" + RUN + "-");

    private static ServiceEnv env;
    private static TemporalConnection temporal;
    private static PipelineConfig base;
    private static final List<Process> workers = new ArrayList<>();
    private static PipelineResult uninterrupted;

    @BeforeAll
    static void setUp() {
        env = ServiceEnv.fromEnvironment();
        temporal = new TemporalConnection(env);
        PipelineConfig tiny = ConfigLoader.load(repoRoot().resolve("infra/config/world-tiny.yaml"));
        base = withStore(tiny, "s3://pformer-artifacts/e2e-" + RUN + "-a");
    }

    @AfterAll
    static void tearDown() {
        workers.forEach(Process::destroyForcibly);
        if (temporal != null) {
            temporal.close();
        }
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("pformer.repo.root", "..")).toAbsolutePath().normalize();
    }

    private static PipelineConfig withStore(PipelineConfig c, String uri) {
        return new PipelineConfig(c.name(), c.seed(), new StoreConfig(uri), c.data(), c.world(), c.models(),
                c.foundation(), c.ingest(), c.pformer(), c.stage1(), c.stage2(), c.eval(), c.runtime());
    }

    /** A worker JVM polling this test's queues, its output in target/. */
    private static Process startWorker(String name) throws IOException {
        Path log = Path.of("target", "e2e-" + name + ".log");
        Files.createDirectories(log.getParent());
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dlogback.configurationFile=" + repoRoot().resolve("infra/logback-test.xml"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "worker", "--queues", "pipeline,cpu,gpu", "--queue-prefix", "e2e-" + RUN + "-");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        workers.add(p);
        return p;
    }

    private static WorkflowStub start(PipelineConfig config, String workflowId) {
        PipelineWorkflow wf = temporal.client.newWorkflowStub(PipelineWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(QUEUES.pipeline())
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setTypedSearchAttributes(RunCommand.searchAttributes(config))
                .build());
        WorkflowClient.start(wf::run, new PipelineRequest(config, "world-tiny.yaml", null, "test", QUEUES));
        return WorkflowStub.fromTyped(wf);
    }

    private static PipelineResult await(WorkflowStub stub) throws Exception {
        return stub.getResultAsync(PipelineResult.class).get(PIPELINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static PipelineStatus status(String workflowId) {
        return temporal.client.newWorkflowStub(PipelineWorkflow.class, workflowId).status();
    }

    @Test
    @Order(1)
    void theTinyPipelineCompletesAndEveryStageIsInMlflow() throws Exception {
        startWorker("worker-1");
        String id = "e2e-" + RUN + "-first";
        uninterrupted = await(start(base, id));
        assertThat(uninterrupted.stages().keySet()).containsExactlyInAnyOrder(StageName.values());
        assertThat(uninterrupted.stages().get(StageName.EVAL_VQA).metrics()).containsKey("vqav2.overall");
        assertThat(uninterrupted.stages().get(StageName.STAGE2).steps()).isEqualTo(20);

        MlflowClient mlflow = new MlflowClient(env.mlflowUri());
        String experimentId = mlflow.getExperimentByName(base.name()).orElseThrow().getExperimentId();
        long deadline = System.currentTimeMillis() + 120_000;
        List<Service.RunInfo> runs;
        do { // the worker's tracker flushes its spool in the background
            runs = mlflow.searchRuns(List.of(experimentId), "tags.`pformer.workflow_id` = '" + id + "'");
            if (runs.size() >= StageName.values().length && runs.stream().allMatch(r -> r.getStatus()
                    == Service.RunStatus.FINISHED)) {
                break;
            }
            Thread.sleep(2000);
        } while (System.currentTimeMillis() < deadline);
        for (StageName s : StageName.values()) {
            Optional<Service.RunInfo> run = runs.stream().filter(r -> mlflow.getRun(r.getRunId()).getData()
                    .getTagsList().stream().anyMatch(t -> t.getKey().equals("pformer.stage") && t.getValue().equals(s.id())))
                    .findFirst();
            assertThat(run).as("MLflow run of stage " + s.id()).isPresent();
            Service.Run r = mlflow.getRun(run.get().getRunId());
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
        workers.forEach(Process::destroyForcibly);
        Process victim = startWorker("worker-2");
        PipelineConfig config = withStore(base, "s3://pformer-artifacts/e2e-" + RUN + "-b");
        String id = "e2e-" + RUN + "-killed";
        WorkflowStub stub = start(config, id);
        ArtifactStore store = ArtifactStores.open(config.store().uri());
        long deadline = System.currentTimeMillis() + PIPELINE_TIMEOUT.toMillis();
        String killedIn = null;
        while (killedIn == null && System.currentTimeMillis() < deadline) {
            for (PipelineStatus.Stage s : status(id).stages()) {
                if (s.stage() == StageName.STAGE1 && "RUNNING".equals(s.state())
                        && store.find("stages/" + s.key() + "/checkpoints/latest.json").isPresent()) {
                    killedIn = s.stage().id();
                }
            }
            Thread.sleep(250);
        }
        assertThat(killedIn).as("stage 1 reached its first checkpoint").isNotNull();
        victim.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no last checkpoint
        startWorker("worker-3");
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
        PipelineResult again = await(start(base, id));
        assertThat(status(id).stages()).allSatisfy(s -> assertThat(s.state()).as(s.stage().id()).isEqualTo("CACHED"));
        for (StageName s : StageName.values()) {
            assertThat(again.stages().get(s).key()).isEqualTo(uninterrupted.stages().get(s).key());
            assertThat(again.stages().get(s).metrics()).isEqualTo(uninterrupted.stages().get(s).metrics());
        }
    }
}
