package org.pformer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.mlflow.api.proto.Service;
import org.pformer.activities.api.FailureTypes;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;
import org.pformer.workflows.PipelineResult;
import org.pformer.workflows.PipelineStatus;

/**
 * The reliability suite (issue 8): faults injected into the tiny world pipeline running on a private instance of
 * the real local services (started by {@code infra/reliability.sh}), bad inputs through the product's entry points,
 * and a scan for the planted S3 secret. Every fault row asserts that the pipeline finishes with the uninterrupted
 * run's final metrics, that every MLflow metric history holds each (key, step) exactly once and the same points as
 * the uninterrupted run, and that nothing partial in the store is presented as complete. Where each fault strikes is
 * drawn from {@code RELIABILITY_SEED}; {@code RELIABILITY_POINTS} draws per fault.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineReliabilityIT {

    private static final Duration PIPELINE_TIMEOUT = Duration.ofMinutes(10);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final long SEED = Long.parseLong(envOr("RELIABILITY_SEED", "20260"));
    private static final int POINTS = Integer.parseInt(envOr("RELIABILITY_POINTS", "1"));
    private static final List<StageName> KILL_STAGES = List.of(StageName.INGEST, StageName.PFORMER, StageName.STAGE1,
            StageName.STAGE2, StageName.EVAL_VQA);
    private static final List<StageName> TRAINING = List.of(StageName.PFORMER, StageName.STAGE1, StageName.STAGE2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path WORK = Path.of("target", "reliability").toAbsolutePath();
    private static final int SHARD_SIZE = 10;
    private static final Pattern COMMITTED_SHARD = Pattern.compile("shard-\\d{5}\\.bin");

    private static final ReliabilityReport report = new ReliabilityReport();
    private static final Random random = new Random(SEED);
    private static final List<String> workflowIds = new ArrayList<>();
    private static final List<String> messages = new ArrayList<>(); // every error message and CLI output seen
    private static PipelineHarness harness;
    private static Path state;
    private static String bucket;
    private static String secret;
    private static String tinyYaml;
    private static PipelineConfig baseConfig;
    private static String baselineId;
    private static PipelineResult baseline;
    private static Map<StageName, Long> baselineMillis = new EnumMap<>(StageName.class);
    private static Map<StageName, Map<String, TreeMap<Long, Double>>> baselineHistories;
    private static int workerCount;
    private static long suiteStart;

    /** A failure outside a row (while setting up a fault) is printed at once, not only in failsafe's summary. */
    @RegisterExtension
    static final TestWatcher WATCHER = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.out.println("[reliability] test " + context.getDisplayName() + " failed: " + cause);
        }
    };

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @BeforeAll
    static void setUp() throws Exception {
        suiteStart = System.nanoTime();
        // never inject faults into the shared instance: infra/reliability.sh marks the private one it started
        String instance = System.getenv("PFORMER_RELIABILITY_INSTANCE");
        assertThat(instance).as("PFORMER_RELIABILITY_INSTANCE (run the suite with `make reliability`)").isNotBlank();
        assertThat(Path.of(System.getenv("PFORMER_STATE")).toRealPath()).isEqualTo(Path.of(instance).toRealPath());
        state = Path.of(instance).toRealPath();
        secret = System.getenv("RELIABILITY_PLANTED_SECRET");
        assertThat(secret).as("the planted secret").isNotBlank().isEqualTo(System.getenv("AWS_SECRET_ACCESS_KEY"));
        bucket = envOr("PFORMER_S3_BUCKET", "pformer-artifacts");
        harness = new PipelineHarness("rel-" + RUN + "-", WORK.resolve("logs"));
        tinyYaml = Files.readString(PipelineHarness.repoRoot().resolve("infra/config/world-tiny.yaml"))
                // a killed worker's stage is retried sooner (5 s, the least allowed, is too tight on a loaded machine)
                .replace("heartbeat_timeout_seconds: 15", "heartbeat_timeout_seconds: 10")
                // shards of 10 sentences: ingestion commits many shards, so a kill can strike between two of them
                .replace("shard_size: 200", "shard_size: " + SHARD_SIZE);
        assertThat(tinyYaml).contains("heartbeat_timeout_seconds: 10").contains("shard_size: " + SHARD_SIZE);
        baseConfig = config("base", tinyYaml);
        startWorker();
        System.out.printf("[reliability] seed %d, %d point(s) per fault, services in %s%n", SEED, POINTS, state);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
        report.write(WORK.getParent().resolve("reliability-report.md"), String.format(Locale.ROOT,
                "# Reliability suite\n\nseed %d, %d point(s) per fault, %.0f s in all", SEED, POINTS,
                (System.nanoTime() - suiteStart) / 1e9));
    }

    // ---- configurations, workers, pipelines ----------------------------------------------------------------------

    /** world-tiny with its own store prefix (so nothing is cached from other rows) and {@code yaml}'s edits. */
    private static PipelineConfig config(String tag, String yaml) throws IOException {
        Path file = WORK.resolve("configs").resolve(tag + ".yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml.replace("uri: s3://pformer-artifacts/world-tiny",
                "uri: s3://" + bucket + "/rel-" + RUN + "-" + tag));
        return ConfigLoader.load(file);
    }

    private static void startWorker() throws IOException {
        harness.startWorker("worker-" + (++workerCount));
    }

    private static String start(PipelineConfig config, String name) {
        String id = "rel-" + RUN + "-" + name;
        workflowIds.add(id);
        harness.start(config, id);
        return id;
    }

    /** The result, read with a fresh stub (the server may have restarted since the start). */
    private static PipelineResult await(String id) throws Exception {
        return harness.temporal.client.newUntypedWorkflowStub(id, Optional.empty(), Optional.empty())
                .getResult(PIPELINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, PipelineResult.class);
    }

    /** The failure of a pipeline that must fail: the application failure its stage raised. */
    private static ApplicationFailure awaitFailure(String id) {
        WorkflowStub stub = harness.temporal.client.newUntypedWorkflowStub(id, Optional.empty(), Optional.empty());
        try {
            stub.getResult(PIPELINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, PipelineResult.class);
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ApplicationFailure af) {
                    messages.add(af.getOriginalMessage());
                    return af;
                }
            }
            throw new AssertionError("pipeline " + id + " failed without an application failure: " + e, e);
        }
        throw new AssertionError("pipeline " + id + " completed; expected it to fail");
    }

    /** The stage's status, polled (tolerating a server that is restarting) until it is in {@code state}. */
    private static PipelineStatus.Stage awaitStage(String id, StageName stage, String wanted) throws Exception {
        long deadline = System.currentTimeMillis() + PIPELINE_TIMEOUT.toMillis();
        while (System.currentTimeMillis() < deadline) {
            Optional<PipelineStatus.Stage> s = stageStatus(id, stage);
            if (s.isPresent() && wanted.equals(s.get().state())) {
                return s.get();
            }
            if (s.isPresent() && List.of("DONE", "CACHED", "FAILED").contains(s.get().state()) && !wanted.equals("DONE")) {
                fail("stage " + stage.id() + " of " + id + " is " + s.get().state() + "; expected " + wanted);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("stage " + stage.id() + " of " + id + " never reached " + wanted);
    }

    private static Optional<PipelineStatus.Stage> stageStatus(String id, StageName stage) {
        try {
            return harness.status(id).stages().stream().filter(s -> s.stage() == stage).findFirst();
        } catch (RuntimeException e) { // no workflow task processed yet, or the server is restarting
            return Optional.empty();
        }
    }

    /** Seconds from {@code faultAt} (epoch ms) until the stage finished. */
    private static double recovery(String id, StageName stage, long faultAt) {
        long finished = harness.status(id).stages().stream().filter(s -> s.stage() == stage).findFirst()
                .orElseThrow().finishedAt();
        return Math.max(0, finished - faultAt) / 1000.0;
    }

    /** Whether the stage's activity is executing on a worker now (pending, in state STARTED). */
    private static boolean activityRunning(String id, StageName stage) {
        try {
            return harness.temporal.service.blockingStub().describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder().setNamespace(harness.env.namespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id)).build())
                    .getPendingActivitiesList().stream().anyMatch(a -> a.getActivityType().getName()
                            .equals(Runs.activityType(stage)) && a.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
        } catch (RuntimeException e) { // the server is restarting
            return false;
        }
    }

    /** How long each stage's activity ran in a completed workflow (from started to completed, in its history). */
    private static Map<StageName, Long> activityMillis(String id) {
        Map<StageName, Long> out = new EnumMap<>(StageName.class);
        for (WorkflowTimeline.Activity a : WorkflowTimeline.of(harness.temporal.client.fetchHistory(id).getEvents())
                .activities()) {
            Runs.stageOf(a.type()).ifPresent(stage -> out.put(stage, a.completed() - a.started()));
        }
        return out;
    }

    /**
     * Waits until the stage's activity runs on a worker, then a random share of how long it ran uninterrupted: a
     * random point inside it, drawn from the suite's seed.
     */
    private static String strikeInside(String id, StageName stage) throws Exception {
        long deadline = System.currentTimeMillis() + PIPELINE_TIMEOUT.toMillis();
        while (!activityRunning(id, stage)) {
            assertThat(System.currentTimeMillis()).as("activity of " + stage.id() + " of " + id + " started").isLessThan(deadline);
            Thread.sleep(20);
        }
        // within the first third, and within 1.2 s: a warm worker runs a short stage much faster than the reference
        // did (its upstream artifacts are in its local cache already)
        double share = 0.05 + 0.3 * random.nextDouble();
        long delay = (long) (share * Math.min(1200, baselineMillis.get(stage)));
        Thread.sleep(delay);
        assertThat(activityRunning(id, stage)).as("stage " + stage.id() + " still running when the fault strikes").isTrue();
        return String.format(Locale.ROOT, "%s at +%.2f s", stage.id(), delay / 1000.0);
    }

    /**
     * Waits until the ingestion of {@code id} has committed a random number of its shards (between 1 and half of
     * the reference run's), watching the worker's work directory: a point inside the stage that does not depend on
     * how fast this worker ingests.
     */
    private static String strikeBetweenShards(String id) throws Exception {
        String key = awaitStage(id, StageName.INGEST, "RUNNING").key();
        Path shards = state.resolve("work").resolve(StageName.INGEST.id() + "-" + key.substring(0, 16)).resolve("shards");
        int total = baseline.stages().get(StageName.INGEST).metrics().get("shards").intValue();
        assertThat(total).as("shards of the reference ingestion").isGreaterThanOrEqualTo(4);
        int after = 1 + random.nextInt(total / 2);
        long deadline = System.currentTimeMillis() + PIPELINE_TIMEOUT.toMillis();
        while (committedShards(shards) < after) {
            assertThat(System.currentTimeMillis()).as(after + " shards committed in " + shards).isLessThan(deadline);
            Thread.sleep(1);
        }
        return String.format(Locale.ROOT, "%s after %d of %d shards committed", StageName.INGEST.id(), after, total);
    }

    private static long committedShards(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> COMMITTED_SHARD.matcher(f.getFileName().toString()).matches()).count();
        }
    }

    /**
     * After a kill: the stage's activity is still recorded as started and not completed, i.e. the fault struck
     * inside the stage (a completion the worker sent just before it died has had time to arrive).
     */
    private static void assertStruckInside(String id, StageName stage) throws InterruptedException {
        Thread.sleep(500);
        assertThat(activityRunning(id, stage)).as("stage " + stage.id() + " of " + id
                + " had not completed when the worker was killed").isTrue();
    }

    private static void services(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", PipelineHarness.repoRoot().resolve("infra/local/services.sh").toString()));
        cmd.addAll(List.of(args));
        Path log = WORK.resolve("logs/services-cli.log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("services.sh " + String.join(" ", args) + " finished").isTrue();
        assertThat(p.exitValue()).as("services.sh " + String.join(" ", args) + " (log " + log + ")").isZero();
    }

    // ---- the checks every fault row makes --------------------------------------------------------------------------

    private static boolean isTiming(String key) {
        return key.endsWith("_time_s") || key.endsWith("_per_s");
    }

    /** Every stage's metric histories: key → step → value, failing on a (key, step) logged twice. */
    private static Map<StageName, Map<String, TreeMap<Long, Double>>> histories(PipelineConfig config, String id)
            throws Exception {
        Map<StageName, Service.Run> runs = harness.stageRuns(config.name(), id, StageName.values().length,
                Duration.ofMinutes(3));
        assertThat(runs.keySet()).as("MLflow runs of " + id).containsExactlyInAnyOrder(StageName.values());
        Map<StageName, Map<String, TreeMap<Long, Double>>> out = new EnumMap<>(StageName.class);
        for (Map.Entry<StageName, Service.Run> e : runs.entrySet()) {
            Service.Run run = e.getValue();
            assertThat(run.getInfo().getStatus()).as("MLflow run of " + e.getKey().id()).isEqualTo(Service.RunStatus.FINISHED);
            Map<String, TreeMap<Long, Double>> byKey = new TreeMap<>();
            for (Service.Metric latest : run.getData().getMetricsList()) {
                TreeMap<Long, Double> points = new TreeMap<>();
                for (Service.Metric m : harness.mlflow.getMetricHistory(run.getInfo().getRunId(), latest.getKey())) {
                    Double before = points.put(m.getStep(), m.getValue());
                    assertThat(before).as("%s: metric %s logged twice at step %d", e.getKey().id(), m.getKey(), m.getStep())
                            .isNull();
                }
                byKey.put(latest.getKey(), points);
            }
            out.put(e.getKey(), byKey);
        }
        return out;
    }

    /** Final metrics, MLflow histories and the store: the assertions of every fault row. Returns a summary. */
    private static String assertRecovered(PipelineConfig config, String id, PipelineResult result) throws Exception {
        for (StageName s : StageName.values()) {
            assertThat(result.stages().get(s).metrics()).as("final metrics of " + s.id())
                    .isEqualTo(baseline.stages().get(s).metrics());
            assertThat(result.stages().get(s).steps()).as("steps of " + s.id()).isEqualTo(baseline.stages().get(s).steps());
        }
        Map<StageName, Map<String, TreeMap<Long, Double>>> h = histories(config, id);
        int points = 0;
        for (StageName s : StageName.values()) {
            Map<String, TreeMap<Long, Double>> mine = h.get(s);
            Map<String, TreeMap<Long, Double>> ref = baselineHistories.get(s);
            assertThat(mine.keySet()).as("metric keys of " + s.id()).isEqualTo(ref.keySet());
            for (String key : ref.keySet()) {
                assertThat(mine.get(key).keySet()).as("steps of metric %s of %s (none lost, none extra)", key, s.id())
                        .isEqualTo(ref.get(key).keySet());
                if (!isTiming(key)) {
                    assertThat(mine.get(key)).as("values of metric %s of %s", key, s.id()).isEqualTo(ref.get(key));
                }
                points += mine.get(key).size();
            }
        }
        int objects = assertNothingPartialLooksComplete(config.store().uri());
        return "identical final metrics; " + points + " MLflow points, each once; " + objects + " stored objects verified";
    }

    /**
     * Every object the store presents (it has a committing manifest) reads back with its digest, every directory
     * artifact's files do, and every checkpoint pointer names a complete checkpoint. Returns the objects checked.
     */
    private static int assertNothingPartialLooksComplete(String storeUri) throws Exception {
        int n = 0;
        try (ArtifactStore store = ArtifactStores.open(storeUri)) {
            for (ArtifactRef ref : store.list("")) {
                byte[] bytes = store.readBytes(ref); // verifies size and sha256 against the manifest
                n++;
                if (ref.uri().endsWith("/_directory.json")) {
                    for (ArtifactRef f : store.directoryFiles(ref)) {
                        assertThat(store.find(keyOf(store, f))).as("file %s of %s", f.uri(), ref.uri()).contains(f);
                    }
                }
                if (ref.uri().endsWith("/checkpoints/latest.json")) {
                    ArtifactRef target = JSON.readValue(bytes, ArtifactRef.class);
                    assertThat(store.find(keyOf(store, target))).as("checkpoint %s named by %s", target.uri(), ref.uri())
                            .contains(target);
                    store.directoryFiles(target).forEach(f -> store.readBytes(f));
                }
            }
        }
        return n;
    }

    private static String keyOf(ArtifactStore store, ArtifactRef ref) {
        return ref.uri().substring(store.rootUri().length() + 1);
    }

    /** No activity of the workflow was started more than once: a failure that retrying cannot fix is not retried. */
    private static void assertNoRetry(String id) {
        List<HistoryEvent> events = harness.temporal.client.fetchHistory(id).getEvents();
        for (HistoryEvent e : events) {
            if (e.hasActivityTaskStartedEventAttributes()) {
                assertThat(e.getActivityTaskStartedEventAttributes().getAttempt()).as("attempt of an activity of " + id)
                        .isEqualTo(1);
            }
        }
    }

    /** The file s3proxy keeps an object of the artifact store in. */
    private static Path onDisk(ArtifactRef ref) {
        String prefix = "s3://" + bucket + "/";
        assertThat(ref.uri()).startsWith(prefix);
        return state.resolve("s3/data").resolve(bucket).resolve(ref.uri().substring(prefix.length()));
    }

    private static void flipBytes(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xFF);
        }
    }

    // ---- the reference run -----------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void uninterruptedReferenceRun() throws Exception {
        report.row("uninterrupted run (reference)", () -> {
            baselineId = start(baseConfig, "baseline");
            baseline = await(baselineId);
            for (PipelineStatus.Stage s : harness.status(baselineId).stages()) {
                assertThat(s.state()).as(s.stage().id()).isEqualTo("DONE");
            }
            assertNoRetry(baselineId); // the reference really ran uninterrupted
            baselineMillis = activityMillis(baselineId);
            assertThat(baselineMillis.keySet()).containsExactlyInAnyOrder(StageName.values());
            baselineHistories = histories(baseConfig, baselineId);
            int objects = assertNothingPartialLooksComplete(baseConfig.store().uri());
            return ReliabilityReport.Outcome.of("completed; activity run times " + baselineMillis.entrySet().stream()
                    .map(e -> e.getKey().id() + " " + e.getValue() / 100 / 10.0 + " s").toList() + "; " + objects
                    + " stored objects verified");
        });
    }

    // ---- faults ----------------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void workerKilledInEveryStage() throws Exception {
        for (int p = 1; p <= POINTS; p++) {
            PipelineConfig config = config("kill-" + p, tinyYaml);
            String id = start(config, "kill-" + p);
            Map<StageName, Long> killedAt = new EnumMap<>(StageName.class);
            Map<StageName, String> where = new EnumMap<>(StageName.class);
            Path ingestResumedIn = null;
            for (StageName stage : KILL_STAGES) {
                where.put(stage, stage == StageName.INGEST ? strikeBetweenShards(id) : strikeInside(id, stage));
                killedAt.put(stage, System.currentTimeMillis());
                harness.killWorkers();
                assertStruckInside(id, stage);
                startWorker();
                if (stage == StageName.INGEST) {
                    ingestResumedIn = harness.workerLogs().get(harness.workerLogs().size() - 1);
                }
            }
            PipelineResult result = await(id);
            String summary = assertRecovered(config, id, result);
            // the retried ingestion continued from its committed shards on the fresh worker, not from the start
            assertThat(Files.readString(ingestResumedIn)).as("log of the worker that retried ingest: " + ingestResumedIn)
                    .containsPattern("resuming ingestion in \\S+ at input \\d+ item \\d+ \\([1-9]\\d* shards");
            for (StageName stage : KILL_STAGES) {
                report.row("kill -9 of the worker during " + stage.id() + " (point " + p + ")", () -> new ReliabilityReport.Outcome(
                        "killed in " + where.get(stage) + "; stage retried on a fresh worker (from its committed shards or its "
                                + "last checkpoint where it has them); " + summary,
                        recovery(id, stage, killedAt.get(stage))));
            }
        }
    }

    /** One service fault per point, at a random point of a random training stage. */
    private static void serviceFault(String name, String tag, FaultAction action) throws Exception {
        for (int p = 1; p <= POINTS; p++) {
            PipelineConfig config = config(tag + "-" + p, tinyYaml);
            String id = start(config, tag + "-" + p);
            StageName stage = TRAINING.get(random.nextInt(TRAINING.size()));
            String where = strikeInside(id, stage);
            long faultAt = System.currentTimeMillis();
            String what = action.inject();
            int point = p;
            report.row(name + " (point " + point + ")", () -> {
                PipelineResult result = await(id);
                String summary = assertRecovered(config, id, result);
                return new ReliabilityReport.Outcome("struck in " + where + "; " + what + "; " + summary,
                        recovery(id, stage, faultAt));
            });
        }
    }

    @FunctionalInterface
    private interface FaultAction {
        String inject() throws Exception;
    }

    @Test
    @Order(3)
    void temporalServerRestartedMidRun() throws Exception {
        serviceFault("restart of the Temporal server", "temporal", () -> {
            long t0 = System.nanoTime();
            services("restart", "temporal");
            return String.format(Locale.ROOT, "server back after %.1f s", (System.nanoTime() - t0) / 1e9);
        });
    }

    @Test
    @Order(4)
    void mlflowServerDownForAWhile() throws Exception {
        serviceFault("MLflow server down for 20 s", "mlflow", () -> {
            services("down", "mlflow");
            Thread.sleep(20_000);
            services("up", "mlflow");
            return "MLflow stopped for 20 s, metrics spooled meanwhile";
        });
    }

    @Test
    @Order(5)
    void s3StoreUnavailableForAWhile() throws Exception {
        serviceFault("S3 store unavailable for 10 s", "s3", () -> {
            services("down", "s3");
            Thread.sleep(10_000);
            services("up", "s3");
            return "s3proxy stopped for 10 s (uploads retried with backoff)";
        });
    }

    @Test
    @Order(6)
    void truncatedCheckpointFallsBackToThePreviousOne() throws Exception {
        for (int p = 1; p <= POINTS; p++) {
            PipelineConfig config = config("truncated-" + p, tinyYaml);
            String id = start(config, "truncated-" + p);
            StageName stage = TRAINING.get(random.nextInt(TRAINING.size()));
            String key = awaitStage(id, stage, "RUNNING").key();
            int point = p;
            report.row("truncated newest checkpoint of " + stage.id() + " (point " + point + ")", () -> {
                ArtifactRef newest;
                try (ArtifactStore store = ArtifactStores.open(config.store().uri())) {
                    String pointer = "stages/" + key + "/checkpoints/latest.json";
                    long deadline = System.currentTimeMillis() + PIPELINE_TIMEOUT.toMillis();
                    while (true) { // two checkpoints stored: the newest is truncated, the one before must be used
                        Optional<ArtifactRef> latest = store.find(pointer);
                        if (latest.isPresent()) {
                            ArtifactRef target = JSON.readValue(store.readBytes(latest.get()), ArtifactRef.class);
                            long step = Long.parseLong(target.uri().replaceAll(".*/step-(\\d+)/.*", "$1"));
                            if (step > 5 && step < 20) { // a newer one than the first, before the stage's last step
                                harness.killWorkers(); // a crash while the newest checkpoint was being written
                                newest = store.directoryFiles(target).stream()
                                        .filter(f -> f.uri().endsWith(".safetensors")).findFirst().orElseThrow();
                                break;
                            }
                        }
                        assertThat(System.currentTimeMillis()).as("second checkpoint of " + stage.id()).isLessThan(deadline);
                        Thread.sleep(50);
                    }
                }
                Path file = onDisk(newest);
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    f.setLength(f.length() / 2);
                }
                long faultAt = System.currentTimeMillis();
                startWorker();
                PipelineResult result = await(id);
                String summary = assertRecovered(config, id, result);
                Path log = harness.workerLogs().get(harness.workerLogs().size() - 1);
                String checkpointDir = newest.uri().substring(0, newest.uri().lastIndexOf("/step-") + 16);
                assertThat(Files.readString(log)).as("the new worker's log " + log)
                        .contains("cannot be used").contains(checkpointDir);
                return new ReliabilityReport.Outcome("truncated " + newest.uri().substring(newest.uri().indexOf("/step-") + 1)
                        + " after a kill; digest mismatch detected, previous checkpoint used; " + summary,
                        recovery(id, stage, faultAt));
            });
        }
    }

    @Test
    @Order(7)
    void corruptStoredWeightsAreDetectedNotUsed() throws Exception {
        report.row("corrupt P-Former weights on disk (finished, cached stage)", () -> {
            ArtifactRef weights;
            try (ArtifactStore store = ArtifactStores.open(baseConfig.store().uri())) {
                ArtifactRef artifact = baseline.stages().get(StageName.PFORMER).artifacts().values().stream()
                        .filter(r -> r.uri().endsWith(".safetensors") || r.uri().endsWith("/_directory.json")).findFirst().orElseThrow(
                                () -> new AssertionError("no weights among " + baseline.stages().get(StageName.PFORMER).artifacts()));
                weights = artifact.uri().endsWith("/_directory.json")
                        ? store.directoryFiles(artifact).stream().filter(f -> f.uri().endsWith(".safetensors")).findFirst().orElseThrow()
                        : artifact;
            }
            Path file = onDisk(weights);
            flipBytes(file);
            // as on another worker machine: no verified local copy of the cached stage's output to fall back on
            try (Stream<Path> cached = Files.list(state.resolve("work/cache"))) {
                for (Path c : cached.filter(c -> c.getFileName().toString().contains(weights.sha256())).toList()) {
                    try (Stream<Path> tree = Files.walk(c)) {
                        for (Path f : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.delete(f);
                        }
                    }
                }
            }
            try {
                // stage 1 with another omega1 must run again and read the cached P-Former's weights
                PipelineConfig changed = config("base", tinyYaml.replace("stage1:\n", "stage1:\n  omega1: 0.25\n"));
                String id = start(changed, "corrupt");
                ApplicationFailure failure = awaitFailure(id);
                assertThat(failure.getType()).isEqualTo(FailureTypes.CORRUPT_ARTIFACT);
                assertThat(failure.getOriginalMessage()).contains(weights.uri()).contains("corrupt");
                assertNoRetry(id);
                PipelineStatus.Stage stage1 = harness.status(id).stages().stream()
                        .filter(s -> s.stage() == StageName.STAGE1).findFirst().orElseThrow();
                assertThat(stage1.state()).isEqualTo("FAILED");
                try (ArtifactStore store = ArtifactStores.open(changed.store().uri())) {
                    assertThat(store.list("stages/" + stage1.key() + "/checkpoints/")).as("stage 1 trained nothing").isEmpty();
                }
                return ReliabilityReport.Outcome.of("stage 1 failed at once, not retried: " + failure.getType() + ": "
                        + failure.getOriginalMessage());
            } finally {
                flipBytes(file); // restored for the rows that reuse the reference store
            }
        });
    }

    // ---- bad input -------------------------------------------------------------------------------------------------

    /** {@code pformer <args>} in this JVM; returns the exit code and appends stdout + stderr to {@code output}. */
    private static int cli(StringBuilder output, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            return Main.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
            output.append(buf.toString(StandardCharsets.UTF_8));
            messages.add(buf.toString(StandardCharsets.UTF_8));
        }
    }

    private static void badConfig(String name, String fileName, byte[] content, String... expected) throws Exception {
        report.row(name, () -> {
            Path file = WORK.resolve("bad-input").resolve(fileName);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            StringBuilder out = new StringBuilder();
            long t0 = System.nanoTime();
            int code = cli(out, "config", "check", file.toString());
            assertThat(code).as("exit code of `pformer config check` (" + out + ")").isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(out.toString()).as("the message names the file").contains(fileName);
            for (String e : expected) {
                assertThat(out.toString()).as("the message says what was expected").contains(e);
            }
            return ReliabilityReport.Outcome.of(String.format(Locale.ROOT, "rejected in %.2f s, before any training: %s",
                    (System.nanoTime() - t0) / 1e9, out.toString().strip()));
        });
    }

    private static String yamlWith(String from, String to) {
        assertThat(tinyYaml).contains(from);
        return tinyYaml.replace(from, to);
    }

    @Test
    @Order(10)
    void badConfigurationsAreRejectedBeforeTraining() throws Exception {
        badConfig("invalid YAML", "invalid.yaml", "name: x\nstage1: [unclosed\n".getBytes(StandardCharsets.UTF_8), "line");
        badConfig("unknown key", "unknown-key.yaml", yamlWith("stage1:\n", "stage1:\n  omgea1: 0.5\n")
                .getBytes(StandardCharsets.UTF_8), "stage1.omgea1");
        badConfig("wrong type", "wrong-type.yaml", yamlWith("batch_size: 8,", "batch_size: eight,")
                .getBytes(StandardCharsets.UTF_8), "batch_size", "integer");
        badConfig("negative omega", "negative-omega.yaml", yamlWith("stage1:\n", "stage1:\n  omega1: -0.5\n")
                .getBytes(StandardCharsets.UTF_8), "stage1.omega1", ">= 0");
        badConfig("missing input file", "missing-file.yaml", yamlWith("source: world", """
                source: files
                  sentences: [does-not-exist/sentences.txt]
                  pairs: [{annotations: does-not-exist/pairs.json, images: does-not-exist/images}]""")
                .getBytes(StandardCharsets.UTF_8), "does-not-exist/sentences.txt");
        byte[] latin1 = "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        badConfig("non-UTF-8 configuration", "latin1.yaml", latin1, "UTF-8");
    }

    /**
     * A {@code source: files} pipeline over the baseline's generated world (its pairs, images and tokenizers, as a
     * user's LAVIS-layout data) whose sentence corpus is {@code corpus}: ingestion is the first stage that reads it.
     */
    private static PipelineConfig filesPipeline(String tag, Path corpus, Path pairs, Path images) throws Exception {
        Path world = WORK.resolve("world");
        if (!Files.isDirectory(world)) {
            try (ArtifactStore store = ArtifactStores.open(baseConfig.store().uri())) {
                store.downloadDirectory(baseline.stages().get(StageName.FOUNDATION).artifacts().get("world"), world);
            }
        }
        String yaml = yamlWith("source: world", "source: files\n  sentences: [" + corpus + "]\n  pairs: [{annotations: "
                + (pairs != null ? pairs : world.resolve("annotations/pretrain_pairs.json")) + ", images: "
                + (images != null ? images : world.resolve("images")) + "}]")
                .replace("llm: {preset: world-tiny}", "llm: {preset: world-tiny, tokenizer: " + world.resolve("tokenizers/llm/tokenizer.json") + "}")
                .replace("text_encoder: {preset: world-tiny}", "text_encoder: {preset: world-tiny, tokenizer: "
                        + world.resolve("tokenizers/pformer/tokenizer.json") + "}");
        return config("data-" + tag, yaml);
    }

    /** Bad data through the pipeline: a non-retryable InvalidData failure naming the file, nothing trained before. */
    private static void badData(String name, String tag, String fileName, byte[] content, String... expected) throws Exception {
        report.row(name, () -> {
            Path file = WORK.resolve("bad-input/data").resolve(fileName);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            return failsAsInvalidData(filesPipeline(tag, file, null, null), tag, "ingest failed", fileName, expected);
        });
    }

    /**
     * Runs the pipeline and asserts it fails once with a non-retryable InvalidData failure whose message names
     * {@code fileName} and holds {@code expected}, no stage besides ingestion having started.
     */
    private static ReliabilityReport.Outcome failsAsInvalidData(PipelineConfig config, String tag, String what,
            String fileName, String... expected) {
        long t0 = System.nanoTime();
        String id = start(config, "data-" + tag);
        ApplicationFailure failure = awaitFailure(id);
        assertThat(failure.getType()).as(failure.getOriginalMessage()).isEqualTo(FailureTypes.INVALID_DATA);
        assertThat(failure.getOriginalMessage()).contains(fileName);
        for (String e : expected) {
            assertThat(failure.getOriginalMessage()).contains(e);
        }
        assertNoRetry(id);
        assertThat(harness.status(id).stages()).filteredOn(s -> s.stage() != StageName.INGEST)
                .allSatisfy(s -> assertThat(s.state()).as(s.stage().id()).isNotIn("DONE", "RUNNING", "CACHED"));
        return ReliabilityReport.Outcome.of(String.format(Locale.ROOT, "%s once in %.1f s, not retried, nothing "
                + "trained: %s", what, (System.nanoTime() - t0) / 1e9, failure.getOriginalMessage()));
    }

    @Test
    @Order(14)
    void aPretrainingImageThatIsNotAnImageFailsBeforeAnyStage() throws Exception {
        report.row("image that is not an image", () -> {
            Path corpus = WORK.resolve("bad-input/data/sentences.txt");
            Files.createDirectories(corpus.getParent());
            Files.writeString(corpus, "a red circle next to a blue square\na small green triangle\n");
            PipelineConfig world = filesPipeline("image-world", corpus, null, null); // downloads the world's images
            Path worldImages = Path.of(world.data().pairs().get(0).images());
            List<java.util.Map.Entry<String, String>> firstPairs = new ArrayList<>();
            org.pformer.datasets.lavis.CaptionPair.read(Path.of(world.data().pairs().get(0).annotations())).stream()
                    .limit(4).forEach(p -> firstPairs.add(Map.entry(p.image(), p.caption())));
            Path images = WORK.resolve("bad-input/images");
            Files.createDirectories(images);
            StringBuilder pairs = new StringBuilder("[");
            for (var p : firstPairs) {
                Path copy = images.resolve(p.getKey());
                Files.createDirectories(copy.getParent());
                Files.copy(worldImages.resolve(p.getKey()), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                pairs.append(JSON.writeValueAsString(Map.of("image", p.getKey(), "caption", p.getValue()))).append(",\n");
            }
            // a text file saved under an image name, as a botched download leaves one
            Files.writeString(images.resolve("scan-0042.jpg"), "<html><body>404 Not Found</body></html>\n");
            pairs.append(JSON.writeValueAsString(Map.of("image", "scan-0042.jpg", "caption", "a blue square"))).append("]");
            Path annotations = WORK.resolve("bad-input/data/pairs-with-a-bad-image.json");
            Files.writeString(annotations, pairs);
            return failsAsInvalidData(filesPipeline("image", corpus, annotations, images), "image",
                    "the pre-flight failed", "scan-0042.jpg", "data.pairs[0]", "pairs-with-a-bad-image.json",
                    "not a JPEG or PNG");
        });
    }

    @Test
    @Order(13)
    void badDataFailsAtOnceNamingTheFile() throws Exception {
        badData("empty corpus", "empty", "empty.txt", new byte[0], "no usable sentence");
        byte[] latin1 = "a red circle next to a blue caf\u00e9 square\n".repeat(3).getBytes(StandardCharsets.ISO_8859_1);
        badData("non-UTF-8 text", "latin1", "latin1.txt", latin1, "invalid_utf8");
        badData("broken JSON", "json", "broken.json", "[{\"caption\": \"a red circle\"}, {\"caption\": \"a bl"
                .getBytes(StandardCharsets.UTF_8), "JSON");
        badData("huge line", "huge", "huge.txt", ("a " + "very ".repeat(400_000) + "long line\n").getBytes(StandardCharsets.UTF_8),
                "too_long");
    }

    @Test
    @Order(11)
    void aPathLeavingTheStoreRootIsRefused() throws Exception {
        report.row("store key escaping the store root", () -> {
            try (ArtifactStore store = ArtifactStores.open(baseConfig.store().uri())) {
                for (String key : List.of("../outside", "stages/../../outside", "/etc/passwd")) {
                    assertThatThrownBy(() -> store.put(key, new byte[] {1})).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining(key).hasMessageContaining("store root");
                    messages.add(key);
                }
                assertThat(store.list("")).noneMatch(r -> r.uri().contains("outside") || r.uri().contains("passwd"));
            }
            return ReliabilityReport.Outcome.of("put of ../outside, stages/../../outside, /etc/passwd refused, nothing written");
        });
    }

    @Test
    @Order(12)
    void aNanFromABadLearningRateIsNotRetried() throws Exception {
        report.row("NaN loss from a bad learning rate", () -> {
            PipelineConfig bad = config("base", yamlWith("init_lr: 5.0e-4, min_lr: 5.0e-5, warmup_steps: 4, checkpoint_every: 5, log_every: 2}\nstage1",
                    "init_lr: 1.0e+30, min_lr: 5.0e-5, warmup_steps: 4, checkpoint_every: 5, log_every: 2}\nstage1"));
            String id = start(bad, "nan");
            ApplicationFailure failure = awaitFailure(id);
            assertThat(failure.getType()).isEqualTo(FailureTypes.NON_FINITE_LOSS);
            assertThat(failure.getOriginalMessage()).contains("pformer").contains("learning rate");
            assertNoRetry(id);
            PipelineStatus status = harness.status(id);
            assertThat(status.stages()).filteredOn(s -> s.stage() == StageName.FOUNDATION || s.stage() == StageName.INGEST)
                    .allSatisfy(s -> assertThat(s.state()).isEqualTo("CACHED"));
            return ReliabilityReport.Outcome.of("P-Former failed once, not retried: " + failure.getType() + ": "
                    + failure.getOriginalMessage());
        });
    }

    // ---- security --------------------------------------------------------------------------------------------------

    @Test
    @Order(20)
    void thePlantedSecretAppearsNowhere() throws Exception {
        report.row("planted S3 secret in payloads, heartbeats, MLflow, logs, messages", () -> {
            byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
            int histories = 0;
            for (String id : workflowIds) { // every payload, heartbeat detail and failure message, as stored
                byte[] raw = harness.temporal.client.fetchHistory(id).getHistory().toByteArray();
                assertThat(indexOf(raw, needle)).as("planted secret in the history of " + id).isNegative();
                histories++;
            }
            int runs = 0;
            for (Service.Experiment exp : harness.mlflow.searchExperiments().getItems()) {
                for (Service.RunInfo info : harness.mlflow.searchRuns(List.of(exp.getExperimentId()), "")) {
                    byte[] raw = harness.mlflow.getRun(info.getRunId()).toByteArray(); // params, tags, metrics
                    assertThat(indexOf(raw, needle)).as("planted secret in MLflow run " + info.getRunId()).isNegative();
                    runs++;
                }
            }
            List<Path> files = new ArrayList<>(harness.workerLogs());
            files.add(WORK.resolve("logs/services-cli.log"));
            try (Stream<Path> s = Files.walk(state.resolve("logs"))) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
            Path spool = state.resolve("tracking-spool");
            if (Files.isDirectory(spool)) {
                try (Stream<Path> s = Files.walk(spool)) {
                    s.filter(Files::isRegularFile).forEach(files::add);
                }
            }
            for (Path f : files) {
                if (Files.exists(f)) {
                    assertThat(indexOf(Files.readAllBytes(f), needle)).as("planted secret in " + f).isNegative();
                }
            }
            assertThat(messages).as("error messages and CLI output").noneMatch(m -> m != null && m.contains(secret));
            assertThat(histories).isPositive();
            assertThat(runs).isPositive();
            return ReliabilityReport.Outcome.of("absent from " + histories + " workflow histories, " + runs
                    + " MLflow runs, " + files.size() + " log/spool files, " + messages.size() + " messages");
        });
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    @Order(21)
    void theServicesListenOnLoopbackOnly() throws Exception {
        report.row("local services listen on 127.0.0.1 only", () -> {
            List<String> sockets = ListeningSockets.ofServices(state.resolve("run"));
            assertThat(sockets).as("listening sockets of the services").isNotEmpty();
            assertThat(sockets).as("listening sockets of the services").allSatisfy(s ->
                    assertThat(s).matches("(127\\.0\\.0\\.1|::1|::ffff:127\\.0\\.0\\.1):\\d+ .*"));
            return ReliabilityReport.Outcome.of(sockets.size() + " listening sockets, all on loopback: " + sockets);
        });
    }
}
