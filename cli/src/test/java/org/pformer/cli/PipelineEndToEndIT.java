package org.pformer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.pformer.activities.api.StageResult;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;
import org.pformer.workflows.AblationRequest;
import org.pformer.workflows.AblationResult;
import org.pformer.workflows.AblationWorkflow;
import org.pformer.workflows.PipelineResult;
import org.pformer.workflows.PipelineStatus;

/**
 * The product end to end on the real local Temporal, MLflow and S3 servers, with the worker as a separate JVM as
 * users run it: the tiny world pipeline completes and every stage is in MLflow; a worker killed with SIGKILL in the
 * middle of a training stage is replaced and the pipeline completes with exactly the uninterrupted run's final
 * metrics; a re-run of the same configuration completes from the stage cache without training; the 2×2 ω grid
 * computes every shared upstream stage once, and {@code compare} prints its 4-row table.
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

    @Test
    @Order(4)
    void theTwoByTwoAblationSharesUpstreamStagesAndCompareTablesIt(@TempDir Path tmp) throws Exception {
        if (!harness.anyWorkerAlive()) {
            harness.startWorker("worker-4");
        }
        // a fresh store and experiment: every shared stage must be computed exactly once by the grid itself
        String name = "e2e-ablation-" + RUN;
        PipelineConfig c = PipelineHarness.withStore(base, "s3://pformer-artifacts/e2e-" + RUN + "-c");
        PipelineConfig config = new PipelineConfig(name, c.seed(), c.store(), c.data(), c.world(), c.models(),
                c.foundation(), c.ingest(), c.pformer(), c.stage1(), c.stage2(), c.eval(), c.runtime());
        String gridId = "e2e-" + RUN + "-grid";
        AblationWorkflow grid = harness.temporal.client.newWorkflowStub(AblationWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(gridId).setTaskQueue(harness.queues.pipeline()).build());
        AblationRequest request = new AblationRequest(config, "world-tiny.yaml", List.of(0.0, 10.0),
                List.of(0.0, 100.0), null, "test", harness.queues);
        WorkflowClient.start(grid::run, request);
        AblationResult result = WorkflowStub.fromTyped(grid).getResultAsync(AblationResult.class)
                .get(PIPELINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(result.rows()).hasSize(4);
        // omega1 reaches stage 1's training: no alignment term without the P-Former, a positive one with it
        for (PipelineResult r : result.rows()) {
            Map<String, Double> stage1 = r.stages().get(StageName.STAGE1).metrics();
            if (r.omega1() == 0) {
                assertThat(stage1).doesNotContainKey("align");
            } else {
                assertThat(stage1.get("align")).as("stage-1 alignment loss at omega1 " + r.omega1()).isPositive();
            }
        }

        // stage key -> how many of the four pipelines computed it (not CACHED) / used it
        Map<String, Integer> computed = new HashMap<>();
        Map<StageName, Map<String, Set<String>>> keysByPoint = new EnumMap<>(StageName.class);
        for (String child : harness.temporal.client.newWorkflowStub(AblationWorkflow.class, gridId).children()) {
            PipelineStatus st = harness.status(child);
            assertThat(st.state()).as(child).isEqualTo("COMPLETED");
            String point = child.substring(child.lastIndexOf('/') + 1); // seed<s>-w1_<a>-w2_<b>
            for (PipelineStatus.Stage s : st.stages()) {
                if (s.key() == null) {
                    continue; // a stage this point does not run (the P-Former of the 0/0 baseline)
                }
                keysByPoint.computeIfAbsent(s.stage(), x -> new TreeMap<>())
                        .computeIfAbsent(s.key(), x -> new TreeSet<>()).add(point);
                if (!"CACHED".equals(s.state())) {
                    computed.merge(s.key(), 1, Integer::sum);
                }
            }
        }
        String seed = "seed" + config.seed();
        // one foundation, one ingestion and one P-Former for the whole grid
        for (StageName s : List.of(StageName.FOUNDATION, StageName.INGEST)) {
            assertThat(keysByPoint.get(s)).as(s.id()).hasSize(1);
            assertThat(keysByPoint.get(s).values().iterator().next()).as(s.id()).hasSize(4);
        }
        assertThat(keysByPoint.get(StageName.PFORMER)).as("one P-Former, used by the three points with an omega > 0")
                .hasSize(1);
        assertThat(keysByPoint.get(StageName.PFORMER).values().iterator().next())
                .containsExactlyInAnyOrder(seed + "-w1_0-w2_100", seed + "-w1_10-w2_0", seed + "-w1_10-w2_100");
        // stage 1 once per omega1, shared by both omega2 values
        assertThat(keysByPoint.get(StageName.STAGE1).values()).containsExactlyInAnyOrder(
                Set.of(seed + "-w1_0-w2_0", seed + "-w1_0-w2_100"), Set.of(seed + "-w1_10-w2_0", seed + "-w1_10-w2_100"));
        // stage 2 and the captioning / VQA evaluations are per point; retrieval evaluates stage 1, so per omega1
        assertThat(keysByPoint.get(StageName.STAGE2)).hasSize(4);
        assertThat(keysByPoint.get(StageName.EVAL_RETRIEVAL)).hasSize(2);
        assertThat(computed).as("every stage key computed exactly once across the grid").allSatisfy((k, n) ->
                assertThat(n).as(k).isEqualTo(1));
        assertThat(computed).hasSize(keysByPoint.values().stream().mapToInt(Map::size).sum());

        // the 4-row comparison table from MLflow, and its plot
        assertThat(harness.finishedRuns(name, "tags.`pformer.kind` = 'pipeline' and tags.`pformer.ablation` = '"
                + gridId + "'", 4, Duration.ofMinutes(2))).as("the grid's pipelines in MLflow").hasSize(4)
                .allSatisfy(r -> assertThat(r.getInfo().getStatus()).isEqualTo(Service.RunStatus.FINISHED));
        Path plot = tmp.resolve("grid.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            code = Main.execute("compare", "--experiment", name, "--ablation", gridId, "--metrics", ".*overall.*|.*r_mean",
                    "--plot", plot.toString());
        } finally {
            System.setOut(old);
        }
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.print(table);
        assertThat(code).as(table).isZero();
        List<String> rows = table.lines().filter(l -> l.contains("ω1=")).toList();
        assertThat(rows).as(table).hasSize(4);
        assertThat(rows.get(0)).contains("ω1=0.0 ω2=0.0");
        assertThat(rows.get(3)).contains("ω1=10.0 ω2=100.0");
        assertThat(table).contains("vqa/vqav2.overall").contains("retrieval/r_mean");
        assertThat(Files.size(plot)).isPositive();
    }
}
