package org.pformer.activities;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.temporal.client.ActivityCompletionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.pformer.activities.api.StageProgress;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.tracking.ExperimentTracker;
import org.pformer.activities.tracking.MetricPoint;
import org.pformer.activities.tracking.RunKey;
import org.pformer.store.ArtifactIntegrityException;
import org.pformer.store.ArtifactNotFoundException;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one stage: its MLflow child run, its local work directory, its checkpoints and its heartbeats.
 *
 * <p>Checkpoint protocol (ARCHITECTURE.md): a checkpoint is uploaded to {@code stages/<key>/checkpoints/step-N}
 * first; then {@code stages/<key>/checkpoints/latest.json} is pointed at it; then its reference is heartbeated.
 * A retried attempt resumes from its previous attempt's heartbeat details; a new execution of the same stage key
 * (a resumed or re-run pipeline) resumes from {@code latest.json}. Either way the reference is verified first,
 * and a corrupt or missing checkpoint falls back to the one before it, or to a fresh start.
 */
public final class StageRun {

    private static final Logger LOG = LoggerFactory.getLogger(StageRun.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final ObjectMapper SNAKE = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    private static final int CHECKPOINTS_KEPT = 2;
    /** The metrics of where an attempt's time went, logged at {@link #finish} (see {@link #timings()}). */
    public static final String STAGE_TIME = "stage_time_s";
    public static final String PREPARE_TIME = "prepare_time_s";
    public static final String TRAIN_TIME = "train_time_s";
    public static final String CHECKPOINT_TIME = "checkpoint_time_s";
    public static final List<String> TIMINGS = List.of(STAGE_TIME, PREPARE_TIME, TRAIN_TIME, CHECKPOINT_TIME);

    private final StageRequest request;
    private final ArtifactStore store;
    private final ExperimentTracker tracker;
    private final Heartbeat heartbeat;
    private final Path workDir;
    private final RunKey runKey;
    private final long startedAt = System.currentTimeMillis();
    private final long beganNanos = System.nanoTime();
    // where this attempt's wall time went (logged at finish as the *_time_s metrics): preparation up to the first
    // optimizer step, the optimizer steps themselves, checkpoint uploads; the rest is between-step work and publishing
    private long firstStepNanos;
    private double trainSeconds;
    private long stepsTimed;
    private double checkpointSeconds;
    private int checkpointsUploaded;
    private volatile long startStep;
    private volatile long totalSteps;
    private volatile ArtifactRef lastCheckpoint;
    private volatile Map<String, Double> latest = Map.of();
    /** Heartbeats while the stage prepares (generates, uploads, loads) and reports no progress of its own yet. */
    private ScheduledExecutorService preparing;

    private StageRun(StageRequest request, ArtifactStore store, ExperimentTracker tracker, Heartbeat heartbeat, Path workRoot) {
        this.request = request;
        this.store = store;
        this.tracker = tracker;
        this.heartbeat = heartbeat;
        this.workDir = workRoot.resolve(request.stage().id() + "-" + request.key().substring(0, 16));
        String experiment = request.config().name();
        this.runKey = new RunKey(experiment, request.runKey(), request.stage().id(), request.parentRunKey(),
                Map.of("pformer.stage", request.stage().id(), "pformer.stage_key", request.key(),
                        "pformer.workflow_id", String.valueOf(request.workflowId())));
    }

    /** Starts the attempt: creates the work directory, starts the child run and logs the stage's configuration. */
    public static StageRun begin(StageRequest request, ArtifactStore store, ExperimentTracker tracker, Heartbeat heartbeat,
                                 Path workRoot) {
        StageRun run = new StageRun(request, store, tracker, heartbeat, workRoot);
        try {
            Files.createDirectories(run.workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create work directory " + run.workDir, e);
        }
        run.startPreparing(request.config().runtime().heartbeatTimeoutSeconds());
        tracker.startRun(run.runKey);
        tracker.logParams(run.runKey, flatten(request.config().stageSection(request.stage())));
        LOG.info("stage {} (key {}) started in {}", request.stage().id(), request.key(), run.workDir);
        return run;
    }

    /**
     * Until the stage reports its first step, a daemon thread heartbeats every third of the heartbeat timeout: the
     * preparation before training (generating and uploading the world, downloading upstream artifacts, loading
     * models and data) takes longer than the timeout on a busy machine and would be taken for a dead worker. A
     * killed worker still stops heartbeating at once; from the first step on, only the stage's progress does.
     */
    private void startPreparing(int heartbeatTimeoutSeconds) {
        long period = Math.max(1000, heartbeatTimeoutSeconds * 1000L / 3);
        preparing = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + request.stage().id());
            t.setDaemon(true);
            return t;
        });
        preparing.scheduleAtFixedRate(() -> {
            try {
                beat(startStep);
            } catch (RuntimeException e) { // cancelled: the stage's own next heartbeat sees it too
                LOG.debug("preparation heartbeat of stage {}: {}", request.stage().id(), e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    private void stopPreparing() {
        ScheduledExecutorService p = preparing;
        if (p != null) {
            preparing = null;
            p.shutdownNow();
        }
    }

    public StageRequest request() {
        return request;
    }

    public ArtifactStore store() {
        return store;
    }

    public Path workDir() {
        return workDir;
    }

    public RunKey runKey() {
        return runKey;
    }

    /** Store key of a file this stage produces: {@code stages/<key>/<name>}. */
    public String key(String name) {
        return "stages/" + request.key() + "/" + name;
    }

    /** A checkpoint restored into a local directory, and the step it was taken at. */
    public record Restored(ArtifactRef ref, long step, Path directory) {}

    /**
     * Restores the checkpoint to resume from into the work directory: the previous attempt's heartbeated one, else
     * the latest filed under this stage key, else older ones, newest first — each verified file by file while it
     * downloads, a corrupt or missing one skipped with a warning. Empty for a fresh start.
     */
    public Optional<Restored> restore() {
        List<ArtifactRef> candidates = new ArrayList<>();
        heartbeat.previousAttempt().map(StageProgress::checkpoint).ifPresent(candidates::add);
        store.find(key("checkpoints/latest.json")).ifPresent(pointer -> {
            try {
                candidates.add(JSON.readValue(store.readBytes(pointer), ArtifactRef.class));
            } catch (IOException | RuntimeException e) {
                LOG.warn("checkpoint pointer {} is unreadable: {}", pointer.uri(), e.getMessage());
            }
        });
        candidates.addAll(storedCheckpoints());
        for (ArtifactRef c : candidates.stream().distinct().toList()) {
            long step = stepOf(c.uri());
            Path dir = workDir.resolve("restored-" + step);
            try {
                store.downloadDirectory(c, dir);
            } catch (ArtifactIntegrityException | ArtifactNotFoundException e) {
                LOG.warn("checkpoint {} cannot be used ({}); trying an older one", c.uri(), e.getMessage());
                continue;
            }
            startStep = step;
            lastCheckpoint = c;
            LOG.info("stage {} resumes from {} (step {})", request.stage().id(), c.uri(), step);
            return Optional.of(new Restored(c, step, dir));
        }
        return Optional.empty();
    }

    /** Checkpoint directories filed under this stage key, newest first. */
    private List<ArtifactRef> storedCheckpoints() {
        return store.list(key("checkpoints/")).stream()
                .filter(r -> r.uri().endsWith("/_directory.json"))
                .sorted((a, b) -> Long.compare(stepOf(b.uri()), stepOf(a.uri())))
                .toList();
    }

    private static long stepOf(String uri) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/step-(\\d+)/").matcher(uri);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /**
     * Uploads a checkpoint directory, points {@code latest.json} at it, then heartbeats its reference; keeps the
     * newest {@value #CHECKPOINTS_KEPT} checkpoints. Returns normally unless the stage was cancelled meanwhile.
     */
    public ArtifactRef checkpoint(long step, Path directory) {
        stopPreparing();
        long t0 = System.nanoTime();
        String prefix = key(String.format("checkpoints/step-%09d", step));
        ArtifactRef ref = store.putDirectory(prefix, directory);
        try {
            store.put(key("checkpoints/latest.json"), JSON.writeValueAsBytes(ref));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lastCheckpoint = ref;
        List<ArtifactRef> stored = storedCheckpoints();
        for (ArtifactRef old : stored.subList(Math.min(CHECKPOINTS_KEPT, stored.size()), stored.size())) {
            String oldPrefix = old.uri().substring(0, old.uri().length() - "/_directory.json".length());
            store.delete(storeKey(old)); // the directory manifest first: a half-deleted checkpoint is never offered
            store.list(storeKey(oldPrefix) + "/").forEach(r -> store.delete(storeKey(r)));
        }
        LOG.info("stage {} checkpoint at step {}: {}", request.stage().id(), step, ref.shortForm());
        beat(step);
        synchronized (this) {
            checkpointSeconds += (System.nanoTime() - t0) / 1e9;
            checkpointsUploaded++;
        }
        return ref;
    }

    private String storeKey(ArtifactRef ref) {
        return storeKey(ref.uri());
    }

    private String storeKey(String uri) {
        return uri.substring(store.rootUri().length() + 1);
    }

    /** Logs step metrics and heartbeats. Throws {@link ActivityCompletionException} once the stage is cancelled. */
    public void step(long step, long total, Map<String, Double> metrics) {
        stopPreparing();
        totalSteps = total;
        latest = new TreeMap<>(metrics);
        long now = System.currentTimeMillis();
        tracker.logMetrics(runKey, metrics.entrySet().stream()
                .map(m -> new MetricPoint(m.getKey(), m.getValue(), step, now)).toList());
        beat(step);
    }

    /**
     * Heartbeats progress without logging metrics (called every step: the SDK throttles what it sends).
     * Throws {@link ActivityCompletionException} once the stage is cancelled.
     */
    public void progress(long step, long total) {
        stopPreparing();
        totalSteps = total;
        beat(step);
    }

    private synchronized void beat(long step) {
        heartbeat.beat(new StageProgress(step, totalSteps, lastCheckpoint, latest, startedAt, startStep));
    }

    /**
     * Records the duration of one optimizer step (the trainer's {@code step_time_s}), called as each step ends: the
     * first one also marks the end of the preparation.
     */
    public synchronized void stepTimed(double seconds) {
        if (firstStepNanos == 0) {
            firstStepNanos = System.nanoTime() - (long) (seconds * 1e9);
        }
        trainSeconds += seconds;
        stepsTimed++;
    }

    /**
     * Where this attempt's wall time went, as metrics: {@code stage_time_s} (begin to finish), and for a stage that
     * trained, {@code prepare_time_s} (begin to its first optimizer step: downloads, model loading, restore),
     * {@code train_time_s} (the optimizer steps), {@code checkpoint_time_s} (uploading checkpoints).
     */
    synchronized Map<String, Double> timings() {
        Map<String, Double> out = new TreeMap<>();
        out.put(STAGE_TIME, (System.nanoTime() - beganNanos) / 1e9);
        if (stepsTimed > 0) {
            out.put(PREPARE_TIME, (firstStepNanos - beganNanos) / 1e9);
            out.put(TRAIN_TIME, trainSeconds);
            out.put(CHECKPOINT_TIME, checkpointSeconds);
        }
        return out;
    }

    /** Stores a named output under the stage key. */
    public ArtifactRef putFile(String name, Path file) {
        return store.put(key(name), file);
    }

    public ArtifactRef putDirectory(String name, Path dir) {
        return store.putDirectory(key(name), dir);
    }

    public ArtifactRef putBytes(String name, byte[] bytes) {
        return store.put(key(name), bytes);
    }

    /** Logs a stored output as an MLflow artifact of this stage's run. */
    public void logArtifact(String path, ArtifactRef ref) {
        tracker.logArtifact(runKey, path, ref);
    }

    /** Ends the attempt successfully: final metrics (at the last step), the run FINISHED, the result returned. */
    public StageResult finish(Map<String, ArtifactRef> artifacts, Map<String, Double> metrics, long steps) {
        stopPreparing();
        long now = System.currentTimeMillis();
        Map<String, Double> timings = timings();
        List<MetricPoint> points = new ArrayList<>();
        metrics.forEach((k, v) -> points.add(new MetricPoint(k, v, steps, now)));
        timings.forEach((k, v) -> points.add(new MetricPoint(k, v, steps, now)));
        tracker.logMetrics(runKey, points);
        logTimings(timings);
        tracker.endRun(runKey, "FINISHED");
        deleteWorkDir();
        return new StageResult(request.stage(), request.key(), artifacts, metrics, runKey.key(), steps);
    }

    private synchronized void logTimings(Map<String, Double> t) {
        if (!t.containsKey(TRAIN_TIME)) {
            LOG.info("stage {} finished in {} s", request.stage().id(), String.format(java.util.Locale.ROOT, "%.2f",
                    t.get(STAGE_TIME)));
            return;
        }
        double other = t.get(STAGE_TIME) - t.get(PREPARE_TIME) - t.get(TRAIN_TIME) - t.get(CHECKPOINT_TIME);
        LOG.info(String.format(java.util.Locale.ROOT, "stage %s finished in %.2f s: preparation %.2f s, %d optimizer"
                + " steps %.2f s, %d checkpoint uploads %.2f s, other %.2f s (between steps, checkpoint writes,"
                + " publishing)", request.stage().id(), t.get(STAGE_TIME), t.get(PREPARE_TIME), stepsTimed,
                t.get(TRAIN_TIME), checkpointsUploaded, t.get(CHECKPOINT_TIME), other));
    }

    /** Ends the attempt unsuccessfully: the run is marked KILLED (cancelled, paused) or FAILED. */
    public void end(Throwable cause) {
        stopPreparing();
        tracker.endRun(runKey, Heartbeat.isCancellation(cause) ? "KILLED" : "FAILED");
    }

    private void deleteWorkDir() {
        try (var files = Files.walk(workDir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot clean work directory {}: {}", workDir, e.getMessage());
        }
    }

    /** A stage's configuration section as flat MLflow params ({@code stage1.train.batch_size = 32}). */
    static Map<String, String> flatten(Map<String, Object> section) {
        Map<String, String> out = new TreeMap<>();
        flatten("", SNAKE.valueToTree(section), out);
        return out;
    }

    private static void flatten(String prefix, com.fasterxml.jackson.databind.JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out));
        } else {
            out.put(prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }
}
