package org.pformer.cli;

import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.config.StoreConfig;
import org.pformer.workflows.PipelineRequest;
import org.pformer.workflows.PipelineResult;
import org.pformer.workflows.PipelineStatus;
import org.pformer.workflows.PipelineWorkflow;

/**
 * What the end-to-end and reliability suites share: worker JVMs started as users start them ({@code pformer
 * worker}) on a test's own task queues, pipelines started and awaited through Temporal, and the MLflow runs a
 * pipeline's stages logged to. The services are the ones the environment names (env.sh).
 */
final class PipelineHarness implements AutoCloseable {

    final ServiceEnv env;
    final TemporalConnection temporal;
    final MlflowClient mlflow;
    final TaskQueues queues;
    private final String queuePrefix;
    private final Path logDir;
    private final List<Process> workers = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    /**
     * @param queuePrefix prefix of this harness's task queues (its workers serve nobody else)
     * @param logDir      where each worker's output goes, one file per worker
     */
    PipelineHarness(String queuePrefix, Path logDir) {
        this.env = ServiceEnv.fromEnvironment();
        this.temporal = new TemporalConnection(env);
        this.mlflow = new MlflowClient(env.mlflowUri());
        this.queuePrefix = queuePrefix;
        this.queues = TaskQueues.withPrefix(queuePrefix);
        this.logDir = logDir;
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("pformer.repo.root", "..")).toAbsolutePath().normalize();
    }

    static PipelineConfig withStore(PipelineConfig c, String uri) {
        return new PipelineConfig(c.name(), c.seed(), new StoreConfig(uri), c.data(), c.world(), c.models(),
                c.foundation(), c.ingest(), c.pformer(), c.stage1(), c.stage2(), c.eval(), c.runtime());
    }

    /** A worker JVM ({@code pformer worker}) polling this harness's queues, its output in {@code logDir/name.log}. */
    Process startWorker(String name) throws IOException {
        Path log = logDir.resolve(name + ".log");
        Files.createDirectories(logDir);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dlogback.configurationFile=" + repoRoot().resolve("infra/logback-test.xml"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "worker", "--queues", "pipeline,cpu,gpu", "--queue-prefix", queuePrefix);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        workers.add(p);
        logs.add(log);
        return p;
    }

    /** SIGKILL (no shutdown hook, no last checkpoint) of every worker this harness started. */
    void killWorkers() throws InterruptedException {
        for (Process p : workers) {
            p.destroyForcibly().waitFor();
        }
    }

    boolean anyWorkerAlive() {
        return workers.stream().anyMatch(Process::isAlive);
    }

    /** The log files of every worker started so far. */
    List<Path> workerLogs() {
        return List.copyOf(logs);
    }

    WorkflowStub start(PipelineConfig config, String workflowId) {
        PipelineWorkflow wf = temporal.client.newWorkflowStub(PipelineWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(queues.pipeline())
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setTypedSearchAttributes(RunCommand.searchAttributes(config))
                .build());
        WorkflowClient.start(wf::run, new PipelineRequest(config, config.name() + ".yaml", null, "test", queues));
        return WorkflowStub.fromTyped(wf);
    }

    static PipelineResult await(WorkflowStub stub, Duration timeout) throws Exception {
        return stub.getResultAsync(PipelineResult.class).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    PipelineStatus status(String workflowId) {
        return temporal.client.newWorkflowStub(PipelineWorkflow.class, workflowId).status();
    }

    /**
     * The MLflow run of every stage of a workflow, by stage, once all {@code expected} are FINISHED; whatever is
     * there at the deadline.
     */
    Map<StageName, Service.Run> stageRuns(String experiment, String workflowId, int expected, Duration timeout)
            throws InterruptedException {
        Map<StageName, Service.Run> byStage = new HashMap<>();
        // the pipeline's own run carries the workflow id too: count the stage runs only, so that a stage run still in
        // a worker's spool (MLflow was down) is waited for rather than stood in for by the pipeline's run
        for (Service.Run run : finishedRuns(experiment, "tags.`pformer.workflow_id` = '" + workflowId + "'", expected,
                timeout, r -> stageTag(r).isPresent())) {
            stageTag(run).ifPresent(stage -> byStage.put(StageName.fromId(stage), run));
        }
        return byStage;
    }

    private static Optional<String> stageTag(Service.Run run) {
        return run.getData().getTagsList().stream().filter(t -> t.getKey().equals("pformer.stage"))
                .map(Service.RunTag::getValue).findFirst();
    }

    /**
     * The runs of an experiment matching an MLflow {@code filter}, once at least {@code expected} of them are
     * FINISHED (the worker's tracker delivers its spool in the background, later when MLflow was down); whatever is
     * there at the deadline, nothing if the experiment does not exist by then.
     */
    List<Service.Run> finishedRuns(String experiment, String filter, int expected, Duration timeout)
            throws InterruptedException {
        return finishedRuns(experiment, filter, expected, timeout, run -> true);
    }

    /** As {@link #finishedRuns(String, String, int, Duration)}, over the matching runs that {@code counted} accepts. */
    List<Service.Run> finishedRuns(String experiment, String filter, int expected, Duration timeout,
            Predicate<Service.Run> counted) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (true) {
            List<Service.Run> runs = new ArrayList<>();
            Optional<String> experimentId = mlflow.getExperimentByName(experiment).map(Service.Experiment::getExperimentId);
            if (experimentId.isPresent()) {
                for (Service.RunInfo info : mlflow.searchRuns(List.of(experimentId.get()), filter)) {
                    Service.Run run = mlflow.getRun(info.getRunId());
                    if (counted.test(run)) {
                        runs.add(run);
                    }
                }
            }
            boolean done = runs.size() >= expected
                    && runs.stream().allMatch(r -> r.getInfo().getStatus() == Service.RunStatus.FINISHED);
            if (done || System.currentTimeMillis() > deadline) {
                return runs;
            }
            Thread.sleep(1000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        killWorkers();
        temporal.close();
    }
}
