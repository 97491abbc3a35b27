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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.pformer.activities.Heartbeat;
import org.pformer.activities.StageActivityImplementations;
import org.pformer.activities.StageRun;
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
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
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
 * (foundation, ingestion, P-Former, stages 1 and 2, the three evaluations) run (a) through the real local Temporal
 * server with a worker JVM that tracks to the real MLflow, from workflow start to its result, and (b) with the same
 * stage implementations called directly, in the order the workflow calls them, in this JVM, without Temporal,
 * heartbeats or experiment tracking. Both use the same artifact store kind (a fresh
 * {@code s3://pformer-artifacts/<run>-…} prefix per run, so nothing is reused from the stage cache) and keep their
 * local download cache across repeats (the worker has a state directory of its own). Before the timed repeats,
 * both paths run the {@code --warmup-config} pipeline once, untimed, so that neither JVM compiles its code (the
 * worker: Temporal's, gRPC's and the tracker's too) inside a measurement. Repeats alternate which path goes first.
 *
 * <p>Besides the whole pipeline, each stage is timed: directly, the call; through Temporal, its slice of the
 * workflow history (server timestamps): from the end of the previous stage's activity to the end of its own, split
 * into the workflow's bookkeeping before the stage (recording the previous stage, the cache lookup, workflow tasks),
 * the wait for a worker to take the activity, and the activity's own run (heartbeats and tracking included). The
 * three evaluations run one after the other on the one GPU slot and are one slice. Prints per repeat
 * {@code RESULT path=direct|temporal repeat=i seconds=S}, {@code STAGE path=… repeat=i stage=… seconds=S …} and
 * {@code CPU path=… repeat=i …} (CPU seconds of this JVM, of the worker JVM and of each local service while the path
 * ran: what orchestration and tracking cost in work, which a loaded machine disturbs less than wall time), then a
 * table of medians and minima per stage and source.
 *
 * <p>Needs the local services ({@code make services-up}) and their environment ({@code infra/local/env.sh}).
 * Task queues carry a unique prefix, so the benchmark shares the servers with other users safely.
 *
 * <pre>
 * java -cp … org.pformer.cli.OrchestrationBenchmark [--config infra/config/world-tiny.yaml] [--repeats 3]
 *     [--warmup-config infra/config/world-tiny.yaml|none] [--worker-log FILE]
 * </pre>
 */
public final class OrchestrationBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(60);
    /** The pipeline's bookkeeping activities (PipelineActivities), by activity type name. */
    private static final List<String> BOOKKEEPING = List.of("Preflight", "StartTrackingRun", "LookupStage",
            "RecordStage", "EndTrackingRun");

    /** Stages that train (the foundation trains the world's vision tower and LLM): their steps' time is taken out. */
    private static final List<StageName> TRAINED = List.of(StageName.FOUNDATION, StageName.PFORMER, StageName.STAGE1,
            StageName.STAGE2);

    private static final String USAGE = "usage: OrchestrationBenchmark [--config FILE] [--repeats N >= 1]"
            + " [--warmup-config FILE|none] [--worker-log FILE]";

    private OrchestrationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path configFile = Path.of("infra/config/world-tiny.yaml");
        int repeats = 3;
        Path workerLog = null;
        String warmup = "infra/config/world-tiny.yaml";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--config" -> configFile = Path.of(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--worker-log" -> workerLog = Path.of(args[i + 1]);
                case "--warmup-config" -> warmup = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
            }
        }
        if (args.length % 2 != 0 || repeats < 1) {
            throw new IllegalArgumentException(USAGE);
        }
        PipelineConfig base = ConfigLoader.load(configFile);
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        TaskQueues queues = TaskQueues.withPrefix(run + "-");
        ServiceEnv env = ServiceEnv.fromEnvironment();
        Path work = Files.createTempDirectory("pformer-orchestration-bench-");
        Path log = workerLog != null ? workerLog.toAbsolutePath() : work.resolve("worker.log");
        Process worker = startWorker(queues, run, work.resolve("worker-state"), log);
        awaitReady(worker, log); // its start-up is no part of the first measurement
        Breakdown breakdown = new Breakdown();
        try (TemporalConnection temporal = new TemporalConnection(env); StoreRegistry stores = new StoreRegistry();
                MlflowClient mlflow = new MlflowClient(env.mlflowUri())) {
            System.out.printf(Locale.ROOT, "config %s (%s), %d repeats, queues %s*, worker log %s%n", configFile,
                    base.name(), repeats, run + "-", log);
            if (!warmup.equals("none")) {
                // both JVMs compile the code of every stage, Temporal's and the tracker's before anything is timed
                PipelineConfig small = ConfigLoader.load(Path.of(warmup));
                long t0 = System.nanoTime();
                direct(withStore(small, "s3://pformer-artifacts/" + run + "-warmup-direct"), stores,
                        work.resolve("direct"));
                throughTemporal(temporal, withStore(small, "s3://pformer-artifacts/" + run + "-warmup-temporal"),
                        queues, run + "-warmup");
                System.out.printf(Locale.ROOT, "WARMUP config=%s seconds=%.1f (both paths, untimed)%n", warmup,
                        (System.nanoTime() - t0) / 1e9);
            }
            for (int r = 0; r < repeats; r++) {
                for (String path : r % 2 == 0 ? List.of("direct", "temporal") : List.of("temporal", "direct")) {
                    PipelineConfig config = withStore(base, "s3://pformer-artifacts/" + run + "-" + path + "-" + r);
                    CpuTimes cpu = CpuTimes.of(env.state(), worker);
                    long t0 = System.nanoTime();
                    if (path.equals("direct")) {
                        DirectRun stages = direct(config, stores, work.resolve("direct"));
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        breakdown.direct(r, seconds, stages);
                    } else {
                        String workflowId = run + "-" + r;
                        double seconds;
                        try (CpuSampler workerCpu = new CpuSampler(worker.toHandle())) {
                            PipelineResult result = throughTemporal(temporal, config, queues, workflowId);
                            seconds = (System.nanoTime() - t0) / 1e9;
                            breakdown.temporal(r, seconds, WorkflowTimeline.of(
                                    temporal.client.fetchHistory(workflowId).getEvents()), workerCpu,
                                    workerTraining(mlflow, config, workflowId, result));
                        }
                    }
                    breakdown.cpu(path, r, CpuTimes.of(env.state(), worker), cpu);
                    if (!worker.isAlive()) {
                        throw new IllegalStateException("the worker JVM exited (" + worker.exitValue() + "); see "
                                + log);
                    }
                }
            }
            breakdown.print();
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

    /**
     * CPU seconds so far of this JVM (the direct path, the client), of the worker JVM, and of the local services
     * (the processes whose command line names the services' state directory, with their children: Temporal, the
     * MLflow server and its workers, the S3 server). Other users of the shared services count too.
     */
    record CpuTimes(double bench, double worker, Map<String, Map<Long, Double>> services) {

        /** The local services by the name of their program: Temporal, MLflow (with its server workers), S3. */
        private static final List<String> SERVICES = List.of("temporal", "mlflow", "s3proxy");

        static CpuTimes of(Path serviceState, Process worker) {
            String marker = serviceState.toString();
            Map<String, Map<Long, Double>> services = new LinkedHashMap<>();
            SERVICES.forEach(name -> services.put(name, new java.util.HashMap<>()));
            ProcessHandle.allProcesses().forEach(p -> {
                String cmd = p.info().commandLine().orElse("");
                if (cmd.contains(marker)) {
                    SERVICES.stream().filter(cmd::contains).findFirst().ifPresent(name -> java.util.stream.Stream
                            .concat(java.util.stream.Stream.of(p), p.descendants())
                            .forEach(q -> services.get(name).put(q.pid(), seconds(q))));
                }
            });
            return new CpuTimes(seconds(ProcessHandle.current()), seconds(worker.toHandle()), services);
        }

        static double seconds(ProcessHandle p) {
            return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
        }

        /**
         * CPU seconds of each service since {@code before}, process by process: a process started since counts
         * whole, one that ended since (a restarted service) is not known and counts nothing.
         */
        Map<String, Double> servicesSince(CpuTimes before) {
            Map<String, Double> out = new LinkedHashMap<>();
            services.forEach((name, pids) -> out.put(name, pids.entrySet().stream().mapToDouble(e -> e.getValue()
                    - before.services.getOrDefault(name, Map.of()).getOrDefault(e.getKey(), 0.0)).sum()));
            return out;
        }
    }

    /**
     * Samples a process's CPU seconds every {@value #PERIOD_MS} ms, so that the CPU spent within a window known only
     * afterwards (an activity's run, from the workflow history) can be read off.
     */
    static final class CpuSampler implements AutoCloseable {
        private static final long PERIOD_MS = 100;
        private final java.util.concurrent.ConcurrentSkipListMap<Long, Double> samples =
                new java.util.concurrent.ConcurrentSkipListMap<>();
        private final java.util.concurrent.ScheduledExecutorService timer;

        CpuSampler(ProcessHandle process) {
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cpu-sampler");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(() -> samples.put(System.currentTimeMillis(), CpuTimes.seconds(process)), 0,
                    PERIOD_MS, TimeUnit.MILLISECONDS);
        }

        /** CPU seconds between two epoch milliseconds (linear between samples). */
        double between(long from, long to) {
            return at(to) - at(from);
        }

        private double at(long millis) {
            var lo = samples.floorEntry(millis);
            var hi = samples.ceilingEntry(millis);
            if (lo == null || hi == null || lo.getKey().equals(hi.getKey())) {
                return (lo != null ? lo : hi).getValue();
            }
            return lo.getValue() + (hi.getValue() - lo.getValue()) * (millis - lo.getKey())
                    / (double) (hi.getKey() - lo.getKey());
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    /**
     * Per-repeat stage times of both paths, printed as they come ({@code RESULT} / {@code STAGE} lines) and summed
     * up at the end.
     */
    static final class Breakdown {
        /** stage (or "pipeline") → source → values over repeats. */
        private final Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();

        private void add(String stage, String source, double v) {
            values.computeIfAbsent(stage, k -> new LinkedHashMap<>()).computeIfAbsent(source, k -> new ArrayList<>())
                    .add(v);
        }

        void cpu(String path, int repeat, CpuTimes after, CpuTimes before) {
            double bench = after.bench() - before.bench();
            double worker = after.worker() - before.worker();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "CPU path=%s repeat=%d bench_jvm_s=%.2f"
                    + " worker_jvm_s=%.2f", path, repeat, bench, worker));
            add("cpu " + path, "this JVM", bench);
            add("cpu " + path, "worker JVM", worker);
            after.servicesSince(before).forEach((name, seconds) -> {
                line.append(String.format(Locale.ROOT, " %s_s=%.2f", name, seconds));
                add("cpu " + path, name, seconds);
            });
            System.out.println(line);
        }

        void direct(int repeat, double seconds, DirectRun run) {
            System.out.printf(Locale.ROOT, "RESULT path=direct repeat=%d seconds=%.3f%n", repeat, seconds);
            add("pipeline", "direct", seconds);
            run.seconds().forEach((stage, s) -> {
                double cpu = run.cpu().get(stage);
                System.out.printf(Locale.ROOT, "STAGE path=direct repeat=%d stage=%s seconds=%.3f cpu_s=%.2f%s%n",
                        repeat, stage, s, cpu, trainingFields(run.training().get(stage), s, "direct", stage));
                add(stage, "direct", s);
                add(stage, "direct cpu", cpu);
            });
        }

        /**
         * Splits the workflow into stage slices: the sequential stages one by one, the evaluations as one slice,
         * then the tail (the last records and the tracking run's end) and the client's own share (starting the
         * workflow, receiving its result).
         */
        void temporal(int repeat, double seconds, WorkflowTimeline t, CpuSampler workerCpu,
                Map<String, Training> training) {
            System.out.printf(Locale.ROOT, "RESULT path=temporal repeat=%d seconds=%.3f%n", repeat, seconds);
            add("pipeline", "temporal", seconds);
            long anchor = t.started();
            for (Map.Entry<String, List<String>> slice : slices(t).entrySet()) {
                List<WorkflowTimeline.Activity> acts = slice.getValue().stream().map(t::activity).toList();
                long scheduled = acts.stream().mapToLong(WorkflowTimeline.Activity::scheduled).min().orElseThrow();
                long completed = acts.stream().mapToLong(WorkflowTimeline.Activity::completed).max().orElseThrow();
                double run = acts.stream().mapToDouble(WorkflowTimeline.Activity::runSeconds).sum();
                double total = (completed - anchor) / 1e3;
                double before = (scheduled - anchor) / 1e3;
                double bookkeeping = t.activitySeconds(BOOKKEEPING, anchor, scheduled);
                double tasks = t.workflowTaskSeconds(anchor, scheduled);
                double queue = total - before - run;
                double cpu = acts.stream().mapToDouble(a -> workerCpu.between(a.started(), a.completed())).sum();
                String stage = slice.getKey();
                System.out.printf(Locale.ROOT, "STAGE path=temporal repeat=%d stage=%s seconds=%.3f before_s=%.3f"
                        + " bookkeeping_s=%.3f workflow_tasks_s=%.3f queue_s=%.3f activity_s=%.3f cpu_s=%.2f%s%n",
                        repeat, stage, total, before, bookkeeping, tasks, queue, run, cpu,
                        trainingFields(training.get(stage), run, "temporal", stage));
                add(stage, "temporal cpu", cpu);
                add(stage, "temporal", total);
                add(stage, "before", before);
                add(stage, "bookkeeping", bookkeeping);
                add(stage, "workflow tasks", tasks);
                add(stage, "queue", queue);
                add(stage, "activity", run);
                anchor = completed;
            }
            double tail = (t.completed() - anchor) / 1e3;
            double client = seconds - t.seconds();
            System.out.printf(Locale.ROOT, "STAGE path=temporal repeat=%d stage=tail seconds=%.3f bookkeeping_s=%.3f"
                    + " workflow_tasks_s=%.3f client_s=%.3f local_activities=%d workflow_tasks=%d%n", repeat, tail,
                    t.activitySeconds(BOOKKEEPING, anchor, t.completed() + 1), t.workflowTaskSeconds(anchor,
                    t.completed()), client, t.localActivities().size(), t.workflowTasks().size());
            add("tail", "temporal", tail);
            add("client", "temporal", client);
        }

        /**
         * For a trained stage: its steps, mean step time, and the time of the call or activity outside the training
         * steps (preparation, heartbeats and tracking calls, checkpoints, publishing): what orchestration can add to,
         * with the steps' own speed — which a shared machine's load moves by several per cent — taken out. The steps'
         * time is their exact sum ({@code train_time_s}, which the stage logs at its end), not steps × a mean of the
         * logged steps: one step in ten sampled moved that estimate by ±1 s on a 35 s stage. Also printed: the
         * stage's preparation (to its first step) and checkpoint uploads, and the wrapper (the activity or call less
         * the stage's own {@code stage_time_s}: Temporal's dispatch and completion of the activity).
         */
        private String trainingFields(Training training, double seconds, String path, String stage) {
            if (training == null) {
                return "";
            }
            double outside = seconds - training.trainSeconds();
            add(stage, path + " step", training.meanStep());
            add(stage, path + " outside", outside);
            return String.format(Locale.ROOT, " steps=%d mean_step_ms=%.2f train_s=%.3f outside_steps_s=%.3f"
                    + " prepare_s=%.3f checkpoint_s=%.3f wrapper_s=%.3f", training.steps(), training.meanStep() * 1e3,
                    training.trainSeconds(), outside, training.timing(StageRun.PREPARE_TIME),
                    training.timing(StageRun.CHECKPOINT_TIME), seconds - training.timing(StageRun.STAGE_TIME));
        }

        /** Activity types per slice, in the workflow's order. */
        private static Map<String, List<String>> slices(WorkflowTimeline t) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (StageName s : List.of(StageName.FOUNDATION, StageName.INGEST, StageName.PFORMER, StageName.STAGE1,
                    StageName.STAGE2)) {
                if (t.activities().stream().anyMatch(a -> a.type().equals(Runs.activityType(s)))) {
                    out.put(s.id(), List.of(Runs.activityType(s)));
                }
            }
            List<String> evals = java.util.stream.Stream.of(StageName.EVAL_VQA, StageName.EVAL_CAPTION,
                    StageName.EVAL_RETRIEVAL).map(Runs::activityType)
                    .filter(type -> t.activities().stream().anyMatch(a -> a.type().equals(type))).toList();
            if (!evals.isEmpty()) {
                out.put("evals", evals);
            }
            return out;
        }

        /** Medians (minima) per stage: both paths, the overhead and where it went. */
        void print() {
            System.out.println();
            System.out.printf(Locale.ROOT, "%-11s %17s %17s %17s %9s | %15s %15s %15s %15s | %29s | %s | %s%n",
                    "stage", "direct s", "temporal s", "overhead s", "overhead", "before stage s", "(bookkeeping)",
                    "queue s", "activity-direct", "CPU s direct / worker", "step ms direct / worker",
                    "outside steps s");
            for (Map.Entry<String, Map<String, List<Double>>> e : values.entrySet()) {
                Map<String, List<Double>> v = e.getValue();
                if (e.getKey().startsWith("cpu ") || !v.containsKey("direct") || !v.containsKey("temporal")) {
                    continue;
                }
                double d = median(v.get("direct"));
                double t = median(v.get("temporal"));
                String split = v.containsKey("before") ? String.format(Locale.ROOT, "%15.3f %15.3f %15.3f %15.3f"
                        + " | %8.1f / %8.1f %+6.2f%%", median(v.get("before")), median(v.get("bookkeeping")),
                        median(v.get("queue")), median(v.get("activity")) - d, median(v.get("direct cpu")),
                        median(v.get("temporal cpu")), (median(v.get("temporal cpu")) / median(v.get("direct cpu"))
                                - 1) * 100) : "";
                if (v.containsKey("direct step") && v.containsKey("temporal step")) {
                    double ds = median(v.get("direct step"));
                    double ts = median(v.get("temporal step"));
                    split += String.format(Locale.ROOT, " | %7.1f / %7.1f %+6.2f%% | %7.2f / %7.2f", ds * 1e3,
                            ts * 1e3, (ts / ds - 1) * 100, median(v.get("direct outside")),
                            median(v.get("temporal outside")));
                }
                System.out.printf(Locale.ROOT, "%-11s %8.3f (%6.3f) %8.3f (%6.3f) %8.3f (%6.3f) %+8.2f%% | %s%n",
                        e.getKey(), d, min(v.get("direct")), t, min(v.get("temporal")), t - d,
                        min(v.get("temporal")) - min(v.get("direct")), (t / d - 1) * 100, split);
            }
            for (String part : List.of("tail", "client")) {
                System.out.printf(Locale.ROOT, "%-11s %17s %8.3f (%6.3f)%n", part, "-",
                        median(values.get(part).get("temporal")), min(values.get(part).get("temporal")));
            }
            for (String path : List.of("direct", "temporal")) {
                StringBuilder line = new StringBuilder("CPU seconds while the " + path + " path ran (median):");
                values.get("cpu " + path).forEach((source, xs) -> line.append(String.format(Locale.ROOT, " %s %.1f,",
                        source, median(xs))));
                System.out.println(line.substring(0, line.length() - 1) + " (the services serve other users too)");
            }
            System.out.println("(medians over repeats, minima in brackets; a stage's temporal time is its slice of the"
                    + " workflow history, from the previous stage's end to its own: the bookkeeping before it, the"
                    + " wait for a worker, its activity; CPU: this JVM during the direct call, the worker JVM during the"
                    + " activity; step: the mean optimizer step (train_time_s / steps); outside steps: the call or activity less"
                    + " the sum of its optimizer steps (train_time_s))");
        }

        private static double min(List<Double> xs) {
            return xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A worker JVM with this JVM's classpath and thread settings, polling the benchmark's own queues, with a state
     * directory of its own (its tracking spool adopts no other process's spool; its download cache starts empty,
     * as the direct path's does).
     */
    private static Process startWorker(TaskQueues queues, String run, Path state, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true"));
        for (String p : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads",
                "logback.configurationFile")) {
            Optional.ofNullable(System.getProperty(p)).ifPresent(v -> cmd.add("-D" + p + "=" + v));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker",
                "--queues", "pipeline,cpu,gpu", "--queue-prefix", run + "-"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PFORMER_STATE", Files.createDirectories(state).toString());
        return pb.start();
    }

    /** Waits until the worker says it polls its queues. */
    private static void awaitReady(Process worker, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(log) || !Files.readString(log).contains("worker polling")) {
            if (!worker.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the worker JVM did not start polling; see " + log);
            }
            Thread.sleep(100);
        }
    }

    private static PipelineResult throughTemporal(TemporalConnection temporal, PipelineConfig config,
            TaskQueues queues, String workflowId) throws Exception {
        PipelineWorkflow wf = temporal.client.newWorkflowStub(PipelineWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(queues.pipeline())
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setTypedSearchAttributes(RunCommand.searchAttributes(config))
                .build());
        WorkflowClient.start(wf::run, new PipelineRequest(config, "orchestration-benchmark", null, "bench", queues));
        return io.temporal.client.WorkflowStub.fromTyped(wf).getResultAsync(PipelineResult.class)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A trained stage: its optimizer steps and the timings it logged at its end ({@link StageRun#TIMINGS}). */
    record Training(long steps, Map<String, Double> timings) {
        /** The mean optimizer step (s): the steps' exact sum over their number. */
        double meanStep() {
            return trainSeconds() / steps;
        }

        /** The optimizer steps' own time, summed over every step (the stage's {@code train_time_s}). */
        double trainSeconds() {
            return timing(StageRun.TRAIN_TIME);
        }

        double timing(String key) {
            Double v = timings.get(key);
            if (v == null) {
                throw new IllegalStateException("the stage logged no " + key + " (timings: " + timings.keySet() + ")");
            }
            return v;
        }
    }

    /** The direct path's stage times and CPU seconds (the evaluations summed as "evals") and its trained stages. */
    record DirectRun(Map<String, Double> seconds, Map<String, Double> cpu, Map<String, Training> training) {}

    /** The workflow's stage chain (PipelineWorkflowImpl), called in this thread with no orchestration around it. */
    private static DirectRun direct(PipelineConfig config, StoreRegistry stores, Path workRoot) {
        UntrackedRuns tracker = new UntrackedRuns();
        StageActivityImplementations impls = new StageActivityImplementations(
                new StageEnvironment(stores, tracker, workRoot, () -> QUIET));
        Map<StageName, StageResult> done = new EnumMap<>(StageName.class);
        Chain chain = new Chain(config, done, new LinkedHashMap<>(), new LinkedHashMap<>());
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
        Map<String, Training> training = new LinkedHashMap<>();
        for (StageName stage : TRAINED) {
            if (done.containsKey(stage) && done.get(stage).steps() > 0 && tracker.timings.containsKey(stage.id())) {
                training.put(stage.id(), new Training(done.get(stage).steps(), tracker.timings.get(stage.id())));
            }
        }
        return new DirectRun(chain.seconds(), chain.cpu(), training);
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Steps and timings ({@code *_time_s}) of each trained stage of a workflow, as its worker logged them to MLflow (waits
     * until each stage's run is FINISHED there: the tracker delivers in order, so its metrics are all in).
     */
    static Map<String, Training> workerTraining(MlflowClient mlflow, PipelineConfig config, String workflowId,
            PipelineResult result) throws InterruptedException {
        Map<String, Training> out = new LinkedHashMap<>();
        String experiment = mlflow.getExperimentByName(config.name()).orElseThrow(() -> new IllegalStateException(
                "no MLflow experiment " + config.name())).getExperimentId();
        for (StageName stage : TRAINED) {
            if (!result.stages().containsKey(stage) || result.stages().get(stage).steps() == 0) {
                continue;
            }
            String key = workflowId + "/" + stage.id();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (true) {
                List<Service.RunInfo> runs = mlflow.searchRuns(List.of(experiment), "tags.`" + RunKey.KEY_TAG
                        + "` = '" + key + "'");
                if (!runs.isEmpty() && runs.get(0).getStatus() == Service.RunStatus.FINISHED) {
                    String runId = runs.get(0).getRunId();
                    Map<String, Double> timings = new LinkedHashMap<>();
                    for (Service.Metric m : mlflow.getRun(runId).getData().getMetricsList()) {
                        if (StageRun.TIMINGS.contains(m.getKey())) {
                            timings.put(m.getKey(), m.getValue());
                        }
                    }
                    out.put(stage.id(), new Training(result.stages().get(stage).steps(), timings));
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the MLflow run " + key + " did not finish within 2 minutes");
                }
                Thread.sleep(200);
            }
        }
        return out;
    }

    /**
     * Runs stages in order, keeping their results, wall times and CPU seconds of this JVM (the evaluations' summed as
     * "evals").
     */
    private record Chain(PipelineConfig config, Map<StageName, StageResult> done, Map<String, Double> seconds,
            Map<String, Double> cpu) {
        void run(StageName stage, List<StageName> upstream, Function<StageRequest, StageResult> activity) {
            Map<StageName, StageResult> ups = new EnumMap<>(StageName.class);
            List<String> keys = new ArrayList<>();
            for (StageName u : upstream) {
                ups.put(u, done.get(u));
                keys.add(u.id() + "=" + done.get(u).key());
            }
            String key = StageKey.compute(stage, config, keys, InputNames.readBy(stage, Map.of()));
            String id = "direct-" + config.store().uri().hashCode();
            long t0 = System.nanoTime();
            double cpu0 = CpuTimes.seconds(ProcessHandle.current());
            done.put(stage, activity.apply(new StageRequest(id, id, config, stage, key, ups)));
            String slice = stage.id().startsWith("eval-") ? "evals" : stage.id();
            seconds.merge(slice, (System.nanoTime() - t0) / 1e9, Double::sum);
            cpu.merge(slice, CpuTimes.seconds(ProcessHandle.current()) - cpu0, Double::sum);
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

    /**
     * The direct path logs to no experiment tracker; it keeps only the timings each stage logs at its end, by stage
     * (the run's name), to compare the time outside the training steps with the worker's.
     */
    private static final class UntrackedRuns implements ExperimentTracker {
        final Map<String, Map<String, Double>> timings = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void startRun(RunKey run) {}

        @Override
        public void logParams(RunKey run, Map<String, String> params) {}

        @Override
        public void logMetrics(RunKey run, List<MetricPoint> points) {
            points.stream().filter(p -> StageRun.TIMINGS.contains(p.key())).forEach(p -> timings
                    .computeIfAbsent(run.name(), k -> new java.util.concurrent.ConcurrentHashMap<>()).put(p.key(), p.value()));
        }

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
