package org.pformer.cli;

import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.pformer.activities.Heartbeat;
import org.pformer.activities.StageActivityImplementations;
import org.pformer.activities.StoreRegistry;
import org.pformer.activities.api.InputNames;
import org.pformer.activities.api.StageActivities;
import org.pformer.activities.api.StageKey;
import org.pformer.activities.api.StageProgress;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.api.TaskQueues;
import org.pformer.activities.stages.StageEnvironment;
import org.pformer.activities.tracking.ExperimentTracker;
import org.pformer.activities.tracking.MetricPoint;
import org.pformer.activities.tracking.RunKey;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.config.StoreConfig;
import org.pformer.store.ArtifactRef;
import org.pformer.workflows.PipelineRequest;
import org.pformer.workflows.PipelineResult;
import org.pformer.workflows.PipelineWorkflow;

/**
 * Orchestration + logging overhead (issue 9 item 3): wall time of the whole pipeline of a configuration
 * (default {@code infra/config/world-tiny.yaml}: foundation, ingestion, P-Former, stages 1 and 2, the three
 * evaluations) run (a) through the real local Temporal server with a worker JVM that tracks to the real MLflow,
 * from workflow start to its result, and (b) with the same stage implementations called directly, in the order
 * the workflow calls them, in this JVM, without Temporal, heartbeats or experiment tracking. Both use the same
 * artifact store kind (a fresh {@code s3://pformer-artifacts/<run>-…} prefix per run, so nothing is reused from
 * the stage cache). Repeats alternate which path goes first; each prints
 * {@code RESULT path=direct|temporal repeat=i seconds=S}.
 *
 * <p>Needs the local services ({@code make services-up}) and their environment ({@code infra/local/env.sh}).
 * Task queues carry a unique prefix, so the benchmark shares the servers with other users safely.
 *
 * <pre>
 * java -cp … org.pformer.cli.OrchestrationBenchmark [--config infra/config/world-tiny.yaml] [--repeats 3]
 * </pre>
 */
public final class OrchestrationBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private OrchestrationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path configFile = Path.of("infra/config/world-tiny.yaml");
        int repeats = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--config" -> configFile = Path.of(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: OrchestrationBenchmark [--config FILE] [--repeats N]");
            }
        }
        PipelineConfig base = ConfigLoader.load(configFile);
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        TaskQueues queues = TaskQueues.withPrefix(run + "-");
        ServiceEnv env = ServiceEnv.fromEnvironment();
        Path work = Files.createTempDirectory("pformer-orchestration-bench-");
        Process worker = startWorker(queues, run, work.resolve("worker.log"));
        try (TemporalConnection temporal = new TemporalConnection(env); StoreRegistry stores = new StoreRegistry()) {
            System.out.printf(Locale.ROOT, "config %s (%s), %d repeats, queues %s*, worker log %s%n", configFile,
                    base.name(), repeats, run + "-", work.resolve("worker.log"));
            for (int r = 0; r < repeats; r++) {
                for (String path : r % 2 == 0 ? List.of("direct", "temporal") : List.of("temporal", "direct")) {
                    PipelineConfig config = withStore(base, "s3://pformer-artifacts/" + run + "-" + path + "-" + r);
                    long t0 = System.nanoTime();
                    if (path.equals("direct")) {
                        direct(config, stores, work.resolve("direct-" + r));
                        deleteTree(work.resolve("direct-" + r));
                    } else {
                        throughTemporal(temporal, config, queues, run + "-" + r);
                    }
                    if (!worker.isAlive()) {
                        throw new IllegalStateException("the worker JVM exited (" + worker.exitValue() + "); see "
                                + work.resolve("worker.log"));
                    }
                    System.out.printf(Locale.ROOT, "RESULT path=%s repeat=%d seconds=%.3f%n", path, r,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            worker.destroy();
            worker.waitFor(60, TimeUnit.SECONDS);
            deleteTree(work); // kept (with the worker's log) only when a run failed
        } finally {
            if (worker.isAlive()) {
                worker.destroy();
                if (!worker.waitFor(60, TimeUnit.SECONDS)) {
                    worker.destroyForcibly();
                }
            }
        }
    }

    /** Removes a direct run's local work files (checkpoints, caches) once it is timed. */
    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A worker JVM with this JVM's classpath and thread settings, polling the benchmark's own queues. */
    private static Process startWorker(TaskQueues queues, String run, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true"));
        for (String p : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads",
                "logback.configurationFile")) {
            Optional.ofNullable(System.getProperty(p)).ifPresent(v -> cmd.add("-D" + p + "=" + v));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker",
                "--queues", "pipeline,cpu,gpu", "--queue-prefix", run + "-"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void throughTemporal(TemporalConnection temporal, PipelineConfig config, TaskQueues queues,
            String workflowId) throws Exception {
        PipelineWorkflow wf = temporal.client.newWorkflowStub(PipelineWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(queues.pipeline())
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setTypedSearchAttributes(RunCommand.searchAttributes(config))
                .build());
        WorkflowClient.start(wf::run, new PipelineRequest(config, "orchestration-benchmark", null, "bench", queues));
        io.temporal.client.WorkflowStub.fromTyped(wf).getResultAsync(PipelineResult.class)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The workflow's stage chain (PipelineWorkflowImpl), called in this thread with no orchestration around it. */
    private static void direct(PipelineConfig config, StoreRegistry stores, Path workRoot) {
        StageActivityImplementations impls = new StageActivityImplementations(
                new StageEnvironment(stores, new UntrackedRuns(), workRoot, () -> QUIET));
        Map<StageName, StageResult> done = new EnumMap<>(StageName.class);
        Chain chain = new Chain(config, done);
        List<StageName> base = config.usesWorld() ? List.of(StageName.FOUNDATION) : List.of();
        if (config.usesWorld()) {
            chain.run(StageName.FOUNDATION, List.of(), find(impls, StageActivities.FoundationActivities.class)
                    ::buildFoundation);
        }
        chain.run(StageName.INGEST, base, find(impls, StageActivities.IngestActivities.class)::ingestSentences);
        if (config.needsPFormer()) {
            chain.run(StageName.PFORMER, plus(base, StageName.INGEST),
                    find(impls, StageActivities.PFormerActivities.class)::pretrainPFormer);
        }
        chain.run(StageName.STAGE1, config.stage1().omega1() > 0 ? plus(base, StageName.PFORMER) : base,
                find(impls, StageActivities.Stage1Activities.class)::trainStage1);
        List<StageName> s2 = plus(base, StageName.STAGE1);
        chain.run(StageName.STAGE2, config.stage2().omega2() > 0 ? plus(s2, StageName.PFORMER) : s2,
                find(impls, StageActivities.Stage2Activities.class)::trainStage2);
        StageActivities.EvalActivities eval = find(impls, StageActivities.EvalActivities.class);
        if (config.eval().vqa().enabled()) {
            chain.run(StageName.EVAL_VQA, plus(base, StageName.STAGE2), eval::evaluateVqa);
        }
        if (config.eval().caption().enabled()) {
            chain.run(StageName.EVAL_CAPTION, plus(base, StageName.STAGE2), eval::evaluateCaptioning);
        }
        if (config.eval().retrieval().enabled()) {
            chain.run(StageName.EVAL_RETRIEVAL, plus(base, StageName.STAGE1), eval::evaluateRetrieval);
        }
    }

    private record Chain(PipelineConfig config, Map<StageName, StageResult> done) {
        void run(StageName stage, List<StageName> upstream, Function<StageRequest, StageResult> activity) {
            Map<StageName, StageResult> ups = new EnumMap<>(StageName.class);
            List<String> keys = new ArrayList<>();
            for (StageName u : upstream) {
                ups.put(u, done.get(u));
                keys.add(u.id() + "=" + done.get(u).key());
            }
            String key = StageKey.compute(stage, config, keys, InputNames.readBy(stage, Map.of()));
            String id = "direct-" + config.store().uri().hashCode();
            done.put(stage, activity.apply(new StageRequest(id, id, config, stage, key, ups)));
        }
    }

    private static <T> T find(StageActivityImplementations impls, Class<T> type) {
        return java.util.stream.Stream.concat(impls.cpu().stream(), impls.gpu().stream()).filter(type::isInstance)
                .map(type::cast).findFirst().orElseThrow(() -> new IllegalStateException("no " + type.getName()));
    }

    private static List<StageName> plus(List<StageName> base, StageName extra) {
        List<StageName> out = new ArrayList<>(base);
        out.add(extra);
        return out;
    }

    private static PipelineConfig withStore(PipelineConfig c, String uri) {
        return new PipelineConfig(c.name(), c.seed(), new StoreConfig(uri), c.data(), c.world(), c.models(),
                c.foundation(), c.ingest(), c.pformer(), c.stage1(), c.stage2(), c.eval(), c.runtime());
    }

    /** No Temporal activity context: heartbeats go nowhere, there is never a previous attempt. */
    private static final Heartbeat QUIET = new Heartbeat() {
        @Override
        public void beat(StageProgress progress) {}

        @Override
        public Optional<StageProgress> previousAttempt() {
            return Optional.empty();
        }
    };

    /** The direct path logs to no experiment tracker. */
    private static final class UntrackedRuns implements ExperimentTracker {
        @Override
        public void startRun(RunKey run) {}

        @Override
        public void logParams(RunKey run, Map<String, String> params) {}

        @Override
        public void logMetrics(RunKey run, List<MetricPoint> points) {}

        @Override
        public void setTags(RunKey run, Map<String, String> tags) {}

        @Override
        public void logArtifact(RunKey run, String artifactPath, ArtifactRef ref) {}

        @Override
        public void endRun(RunKey run, String status) {}

        @Override
        public boolean drain(Duration timeout) {
            return true;
        }

        @Override
        public void close() {}
    }
}
