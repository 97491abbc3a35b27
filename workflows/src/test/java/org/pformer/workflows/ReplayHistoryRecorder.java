package org.pformer.workflows;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;

/**
 * Records pipeline workflow histories for {@link PipelineReplayTest}: each scenario runs on Temporal's test server
 * with {@link RecordingActivities} and its history is written as {@code pipeline-<label>-<scenario>.json}. Histories
 * recorded by earlier code stay in the repository, so that a change to the workflow that would break workflows
 * started by that code (a non-determinism) fails the replay test; see {@code src/test/resources/replay/README.md}.
 *
 * <pre>
 * java -cp … org.pformer.workflows.ReplayHistoryRecorder LABEL DIRECTORY
 * </pre>
 */
public final class ReplayHistoryRecorder {

    private ReplayHistoryRecorder() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ReplayHistoryRecorder LABEL DIRECTORY");
        }
        String label = args[0];
        Path dir = Files.createDirectories(Path.of(args[1]));
        TaskQueues queues = TaskQueues.withPrefix("replay-");
        RecordingActivities activities = new RecordingActivities();
        try (TestWorkflowEnvironment env = TestPipelines.start(queues, activities)) {
            WorkflowClient client = env.getWorkflowClient();
            PipelineConfig config = TestPipelines.config("");

            // every stage computed, then every stage served from the stage cache
            start(client, queues, id(label, "fresh"), config).get();
            start(client, queues, id(label, "cached"), config).get();

            // a stage that fails for good: the run is marked FAILED
            activities.failNonRetryable = StageName.PFORMER;
            CompletableFuture<PipelineResult> failed = start(client, queues, id(label, "failed"), config.withSeed(1));
            try {
                failed.get();
                throw new IllegalStateException("the failing scenario completed");
            } catch (java.util.concurrent.ExecutionException expected) {
                activities.failNonRetryable = null;
            }

            // paused while stage 1 runs, resumed: stage 1 runs again
            activities.blockUntilCancelled = StageName.STAGE1;
            CompletableFuture<PipelineResult> paused = start(client, queues, id(label, "paused"), config.withSeed(2));
            WorkflowStub stub = client.newUntypedWorkflowStub(id(label, "paused"));
            waitFor(() -> activities.calls(StageName.STAGE1) >= 1
                    && activities.stageCalls.stream().anyMatch(r -> r.stage() == StageName.STAGE1
                            && r.config().seed() == 2));
            stub.signal("pause");
            waitFor(() -> stub.query("status", PipelineStatus.class).stages().stream()
                    .anyMatch(s -> s.stage() == StageName.STAGE1 && s.state().equals("PAUSED")));
            stub.signal("resume");
            paused.get();

            for (String scenario : new String[] {"fresh", "cached", "failed", "paused"}) {
                Path file = dir.resolve("pipeline-" + label + "-" + scenario + ".json");
                Files.writeString(file, client.fetchHistory(id(label, scenario)).toJson(false));
                System.out.println("wrote " + file);
            }
        }
    }

    private static String id(String label, String scenario) {
        return "replay-" + label + "-" + scenario;
    }

    private static CompletableFuture<PipelineResult> start(WorkflowClient client, TaskQueues queues, String id,
            PipelineConfig config) {
        PipelineWorkflow wf = client.newWorkflowStub(PipelineWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(queues.pipeline()).build());
        return WorkflowClient.execute(wf::run, new PipelineRequest(config, "test.yaml", null, "abc", queues));
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not reached in 30 s");
            }
            Thread.sleep(20);
        }
    }
}
