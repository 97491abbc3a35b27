package org.pformer.activities.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.pformer.store.ArtifactRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ExperimentTracker} over MLflow with a disk spool: every call is appended to this process's spool and
 * returns; a daemon thread delivers spooled calls in order, backing off while the server is unreachable. Spools
 * left by dead processes under the same root are adopted and delivered too.
 *
 * <p>Delivery is batched: the daemon wakes every {@value #FLUSH_INTERVAL_MS} ms (or at once for {@link #drain} and
 * {@link #close}), not at every call, and sends the consecutive metric events of a run as one log-batch request. A
 * stage that logs every few steps thus costs the MLflow server — on the training machine, when it is local — one
 * request a second instead of one per logged step, and a server that is down is not retried at every call.
 *
 * <p>Exactly-once metrics: before the first delivery of a (run, key) this process asks the server for the highest
 * step it already holds, and it only ever sends higher steps. MLflow applies a log-batch in one transaction, so a
 * batch is either wholly there or absent, and a redelivery after a crash adds nothing.
 */
public final class SpoolingTracker implements ExperimentTracker {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolingTracker.class);
    private static final int MAX_METRICS_PER_BATCH = 1000;
    private static final int MAX_PARAMS_PER_BATCH = 100;
    private static final int MAX_PARAM_VALUE = 6000;
    private static final long FLUSH_INTERVAL_MS = 1_000;

    private final MlflowClient client;
    private final ArtifactSink artifacts;
    private final Path root;
    private final Spool own;
    private final List<Spool> adopted = new ArrayList<>();
    private final Thread flusher;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition progress = lock.newCondition();
    private volatile boolean closed;
    private volatile boolean abandoned;
    private volatile String lastError;
    /** Metric log-batch requests sent so far (what batching saves is visible here). */
    private volatile long metricRequests;

    // delivery state (flusher thread only)
    private final Map<String, String> experimentIds = new HashMap<>();
    private final Map<String, String> runIds = new HashMap<>();
    private final Map<String, String> artifactUris = new HashMap<>();
    private final Map<String, Long> maxStep = new HashMap<>();
    private final Set<String> runsCreatedHere = new HashSet<>();
    private long backoffMillis;

    /**
     * @param trackingUri MLflow server, e.g. http://127.0.0.1:5000
     * @param spoolRoot   directory holding one spool per process, e.g. $PFORMER_STATE/tracking-spool
     * @param artifacts   where logged artifacts are copied
     */
    public SpoolingTracker(String trackingUri, Path spoolRoot, ArtifactSink artifacts) {
        this.client = new MlflowClient(trackingUri);
        this.artifacts = artifacts;
        this.root = spoolRoot;
        this.own = Spool.create(spoolRoot.resolve("spool-" + UUID.randomUUID()));
        adoptOrphans();
        this.flusher = new Thread(this::flushLoop, "mlflow-spool-flusher");
        flusher.setDaemon(true);
        flusher.start();
    }

    /** The default spool root: {@code $PFORMER_STATE/tracking-spool}, else ~/.local/state/pformer/tracking-spool. */
    public static Path defaultSpoolRoot() {
        String state = System.getenv("PFORMER_STATE");
        Path base = state != null && !state.isBlank() ? Path.of(state)
                : Path.of(System.getProperty("user.home"), ".local", "state", "pformer");
        return base.resolve("tracking-spool");
    }

    private void adoptOrphans() {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).filter(d -> !d.equals(own.dir())).toList()) {
                Spool.tryLock(d).ifPresent(s -> {
                    LOG.info("adopting tracking spool {} left by a stopped process", d.getFileName());
                    adopted.add(s);
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list tracking spools in " + root, e);
        }
    }

    // ---- the API: append and return ---------------------------------------------------------------------

    private void record(TrackingEvent event) {
        if (closed) {
            throw new IllegalStateException("tracker is closed");
        }
        own.append(event); // delivered by the flusher's next round, within FLUSH_INTERVAL_MS
    }

    @Override
    public void startRun(RunKey run) {
        record(TrackingEvent.of(TrackingEvent.Type.START, run));
    }

    @Override
    public void logParams(RunKey run, Map<String, String> params) {
        record(new TrackingEvent(0, TrackingEvent.Type.PARAMS, run, Map.copyOf(params), null, null, null, null, null));
    }

    @Override
    public void logMetrics(RunKey run, List<MetricPoint> points) {
        if (!points.isEmpty()) {
            record(new TrackingEvent(0, TrackingEvent.Type.METRICS, run, null, List.copyOf(points), null, null, null, null));
        }
    }

    @Override
    public void setTags(RunKey run, Map<String, String> tags) {
        record(new TrackingEvent(0, TrackingEvent.Type.TAGS, run, null, null, Map.copyOf(tags), null, null, null));
    }

    @Override
    public void logArtifact(RunKey run, String artifactPath, ArtifactRef ref) {
        record(new TrackingEvent(0, TrackingEvent.Type.ARTIFACT, run, null, null, null, null, artifactPath, ref));
    }

    @Override
    public void endRun(RunKey run, String status) {
        Service.RunStatus.valueOf(status); // FINISHED, FAILED or KILLED; a typo fails here, not in the flusher
        record(new TrackingEvent(0, TrackingEvent.Type.END, run, null, null, null, status, null, null));
    }

    @Override
    public boolean drain(Duration timeout) {
        long target = own.lastAppended();
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            signal();
            while (own.delivered() < target || adopted.stream().anyMatch(s -> !s.isDrained())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Metric log-batch requests sent to the server so far. */
    long metricRequests() {
        return metricRequests;
    }

    /** The last delivery error, if the server is currently failing (for status displays). */
    public String lastError() {
        return lastError;
    }

    /** Events recorded but not yet delivered, over this process's and adopted spools. */
    public int undelivered() {
        int n = own.peek(Integer.MAX_VALUE).size();
        for (Spool s : adopted) {
            n += s.peek(Integer.MAX_VALUE).size();
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
        signal();
        try {
            flusher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        own.close(true);
        adopted.forEach(s -> s.close(true));
        client.close();
    }

    /** Stops without delivering or cleaning up, as a killed process would (for tests of adoption). */
    void abandon() {
        abandoned = true;
        closed = true;
        flusher.interrupt();
        try {
            flusher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        own.close(false);
        adopted.forEach(s -> s.close(false));
    }

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- delivery -----------------------------------------------------------------------------------------

    private void flushLoop() {
        while (!closed) {
            boolean failed = false;
            try {
                for (Spool s : spools()) {
                    // what was appended before this round; later events wait for the next round and merge there
                    deliver(s, s.lastAppended());
                }
                backoffMillis = 0;
                lastError = null;
            } catch (MlflowClientException | UncheckedIOException e) {
                failed = true;
                backoffMillis = backoffMillis == 0 ? 500 : Math.min(backoffMillis * 2, 30_000);
                lastError = e.getMessage();
                LOG.warn("MLflow unreachable ({}); {} tracking events spooled, retrying in {} ms", e.getMessage(),
                        undelivered(), backoffMillis);
            } catch (RuntimeException e) {
                failed = true;
                backoffMillis = 5_000;
                lastError = e.toString();
                LOG.error("tracking delivery failed; retrying in {} ms", backoffMillis, e);
            }
            lock.lock();
            try {
                progress.signalAll();
                if (!closed) {
                    wake.await(failed ? backoffMillis : FLUSH_INTERVAL_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } finally {
                lock.unlock();
            }
        }
        // a clean close makes one last attempt to deliver; what fails stays spooled for the next process
        if (!abandoned) {
            try {
                for (Spool s : spools()) {
                    deliver(s, s.lastAppended());
                }
            } catch (RuntimeException e) {
                LOG.warn("MLflow unreachable at shutdown; {} events stay spooled for the next process", undelivered());
            }
        }
    }

    private List<Spool> spools() {
        List<Spool> all = new ArrayList<>(adopted);
        all.add(own);
        return all;
    }

    /** Delivers the spool's pending events up to sequence number {@code upTo}, in order. */
    private void deliver(Spool spool, long upTo) {
        while (true) {
            List<TrackingEvent> batch = spool.peek(256).stream().filter(e -> e.seq() <= upTo).toList();
            if (batch.isEmpty()) {
                return;
            }
            TrackingEvent first = batch.get(0);
            long deliveredSeq;
            if (first.type() == TrackingEvent.Type.METRICS) {
                // merge consecutive metric events of the same run into batches of at most 1000 points
                List<MetricPoint> points = new ArrayList<>();
                deliveredSeq = first.seq();
                for (TrackingEvent e : batch) {
                    if (e.type() != TrackingEvent.Type.METRICS || !e.run().key().equals(first.run().key())
                            || points.size() + e.metrics().size() > MAX_METRICS_PER_BATCH) {
                        break;
                    }
                    points.addAll(e.metrics());
                    deliveredSeq = e.seq();
                }
                if (points.size() > MAX_METRICS_PER_BATCH) { // a single oversized event
                    for (int i = 0; i < points.size(); i += MAX_METRICS_PER_BATCH) {
                        sendMetrics(first.run(), points.subList(i, Math.min(points.size(), i + MAX_METRICS_PER_BATCH)));
                    }
                } else {
                    sendMetrics(first.run(), points);
                }
            } else {
                apply(first);
                deliveredSeq = first.seq();
            }
            spool.markDelivered(deliveredSeq);
            lock.lock();
            try {
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void apply(TrackingEvent e) {
        String runId = runId(e.run());
        switch (e.type()) {
            case START -> { /* resolving the run created it */ }
            case PARAMS -> sendParams(runId, e);
            case TAGS -> permanentOrRethrow(e, () -> client.logBatch(runId, List.of(), List.of(), tags(e.tags())));
            case ARTIFACT -> permanentOrRethrow(e, () -> artifacts.copy(e.artifact(), artifactUri(runId) + "/" + e.artifactPath()));
            case END -> client.setTerminated(runId, Service.RunStatus.valueOf(e.status()), System.currentTimeMillis());
            default -> throw new IllegalStateException("unexpected tracking event " + e.type());
        }
    }

    private void sendParams(String runId, TrackingEvent e) {
        List<Service.Param> params = new ArrayList<>();
        e.params().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(p -> {
            String v = p.getValue() == null ? "null" : p.getValue();
            if (v.length() > MAX_PARAM_VALUE) {
                LOG.warn("run {}: param {} truncated to {} characters", e.run().key(), p.getKey(), MAX_PARAM_VALUE);
                v = v.substring(0, MAX_PARAM_VALUE);
            }
            params.add(Service.Param.newBuilder().setKey(p.getKey()).setValue(v).build());
        });
        for (int i = 0; i < params.size(); i += MAX_PARAMS_PER_BATCH) {
            List<Service.Param> chunk = params.subList(i, Math.min(params.size(), i + MAX_PARAMS_PER_BATCH));
            try {
                client.logBatch(runId, List.of(), chunk, List.of());
            } catch (MlflowHttpException ex) {
                if (!isPermanent(ex)) {
                    throw ex;
                }
                // one bad param (e.g. a changed value MLflow refuses) must not take the others with it
                for (Service.Param p : chunk) {
                    permanentOrRethrow(e, () -> client.logBatch(runId, List.of(), List.of(p), List.of()));
                }
            }
        }
    }

    private void sendMetrics(RunKey run, List<MetricPoint> points) {
        String runId = runId(run);
        List<Service.Metric> fresh = new ArrayList<>();
        Map<String, Long> highest = new HashMap<>();
        for (MetricPoint p : points) {
            String k = runId + '\u0000' + p.key();
            long known = highest.computeIfAbsent(k, x -> knownMaxStep(runId, p.key()));
            if (p.step() <= known) {
                continue; // already on the server: a redelivery or a resumed stage logging again
            }
            highest.put(k, p.step());
            fresh.add(Service.Metric.newBuilder().setKey(p.key()).setValue(p.value()).setStep(p.step())
                    .setTimestamp(p.timestamp()).build());
        }
        if (!fresh.isEmpty()) {
            client.logBatch(runId, fresh, List.of(), List.of());
            metricRequests++;
        }
        maxStep.putAll(highest);
    }

    private long knownMaxStep(String runId, String key) {
        String k = runId + '\u0000' + key;
        Long known = maxStep.get(k);
        if (known != null) {
            return known;
        }
        long max = -1;
        if (!runsCreatedHere.contains(runId)) {
            for (Service.Metric m : client.getMetricHistory(runId, key)) {
                max = Math.max(max, m.getStep());
            }
        }
        maxStep.put(k, max);
        return max;
    }

    private String runId(RunKey run) {
        String cached = runIds.get(run.key());
        if (cached != null) {
            return cached;
        }
        String experimentId = experimentId(run.experiment());
        String id = findRun(experimentId, run.key());
        if (id == null) {
            Service.CreateRun.Builder create = Service.CreateRun.newBuilder()
                    .setExperimentId(experimentId)
                    .setStartTime(System.currentTimeMillis())
                    .addTags(tag(RunKey.KEY_TAG, run.key()));
            if (run.name() != null) {
                create.setRunName(run.name()).addTags(tag("mlflow.runName", run.name()));
            }
            if (run.parentKey() != null) {
                String parent = runIds.containsKey(run.parentKey()) ? runIds.get(run.parentKey()) : findRun(experimentId, run.parentKey());
                if (parent != null) {
                    create.addTags(tag("mlflow.parentRunId", parent));
                } else {
                    LOG.warn("run {}: parent run {} not found in experiment {}; creating it at top level", run.key(),
                            run.parentKey(), run.experiment());
                }
            }
            run.tags().forEach((k, v) -> create.addTags(tag(k, v)));
            Service.RunInfo info = client.createRun(create.build());
            id = info.getRunId();
            runsCreatedHere.add(id);
            artifactUris.put(id, info.getArtifactUri());
        }
        runIds.put(run.key(), id);
        return id;
    }

    private String findRun(String experimentId, String key) {
        List<Service.RunInfo> found = client.searchRuns(List.of(experimentId),
                "tags.`" + RunKey.KEY_TAG + "` = '" + key + "'");
        return found.isEmpty() ? null : found.get(0).getRunId();
    }

    private String experimentId(String name) {
        String id = experimentIds.get(name);
        if (id == null) {
            id = client.getExperimentByName(name).map(Service.Experiment::getExperimentId).orElse(null);
            if (id == null) {
                try {
                    id = client.createExperiment(name);
                } catch (MlflowHttpException e) {
                    // created concurrently by another worker
                    id = client.getExperimentByName(name).map(Service.Experiment::getExperimentId).orElseThrow(() -> e);
                }
            }
            experimentIds.put(name, id);
        }
        return id;
    }

    private String artifactUri(String runId) {
        return artifactUris.computeIfAbsent(runId, id -> client.getRun(id).getInfo().getArtifactUri());
    }

    private static List<Service.RunTag> tags(Map<String, String> tags) {
        List<Service.RunTag> out = new ArrayList<>();
        tags.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(t -> out.add(tag(t.getKey(), t.getValue())));
        return out;
    }

    private static Service.RunTag tag(String key, String value) {
        return Service.RunTag.newBuilder().setKey(key).setValue(value == null ? "" : value).build();
    }

    private static boolean isPermanent(MlflowHttpException e) {
        int s = e.getStatusCode();
        return s >= 400 && s < 500 && s != 408 && s != 429;
    }

    /** Runs a delivery; a permanent refusal by the server is logged and skipped, anything else is retried later. */
    private void permanentOrRethrow(TrackingEvent e, Runnable call) {
        try {
            call.run();
        } catch (MlflowHttpException ex) {
            if (!isPermanent(ex)) {
                throw ex;
            }
            LOG.warn("MLflow refused {} for run {} ({} {}); dropping it: {}", e.type(), e.run().key(), ex.getStatusCode(),
                    ex.getReasonPhrase(), ex.getBodyMessage());
        }
    }
}
