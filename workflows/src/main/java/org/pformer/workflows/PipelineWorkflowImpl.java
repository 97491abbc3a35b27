package org.pformer.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.InputNames;
import org.pformer.activities.api.PipelineActivities;
import org.pformer.activities.api.StageActivities;
import org.pformer.activities.api.StageKey;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.api.TrackingRun;
import org.pformer.config.PipelineConfig;
import org.pformer.config.RuntimeConfig;
import org.pformer.config.StageName;
import org.slf4j.Logger;

/** Deterministic: no I/O, clocks or randomness except through {@link Workflow}. */
public class PipelineWorkflowImpl implements PipelineWorkflow {

    private static final Logger LOG = Workflow.getLogger(PipelineWorkflowImpl.class);
    /** {@link Workflow#getVersion} change id: version 1 runs the bookkeeping as local activities. */
    static final String LOCAL_BOOKKEEPING = "local-bookkeeping";
    /**
     * {@link Workflow#getVersion} change id: version 1 records a finished stage in the stage cache while the pipeline
     * goes on (the next stage's cache lookup runs beside it, in the same workflow task), and waits for every record
     * before the pipeline ends, successfully or not.
     */
    static final String CONCURRENT_RECORDS = "concurrent-stage-records";

    private final Map<StageName, PipelineStatus.Stage> statuses = new LinkedHashMap<>();
    private String state = "STARTING";
    private boolean paused;
    private CancellationScope runningStage;
    private boolean concurrentRecords;
    /** Stage records in flight (version {@link #CONCURRENT_RECORDS} ≥ 1). */
    private final List<Promise<Void>> records = new ArrayList<>();

    private PipelineConfig config;
    private PipelineActivities pipeline;
    private PipelineActivities preflight;
    private StageActivities.FoundationActivities foundation;
    private StageActivities.IngestActivities ingest;
    private StageActivities.PFormerActivities pformer;
    private StageActivities.Stage1Activities stage1;
    private StageActivities.Stage2Activities stage2;
    private StageActivities.EvalActivities eval;

    @Override
    public PipelineResult run(PipelineRequest request) {
        config = request.config();
        String workflowId = Workflow.getInfo().getWorkflowId();
        stubs(request);
        plan();

        TrackingRun run = new TrackingRun(config.name(), workflowId, request.parentRunKey(), runName(config),
                params(config, request), tags(config, request, workflowId));
        pipeline.startTrackingRun(run);
        state = "RUNNING";
        try {
            Map<String, String> inputs = preflight.preflight(config);
            Map<StageName, StageResult> done = new EnumMap<>(StageName.class);
            if (config.usesWorld()) {
                stage(StageName.FOUNDATION, request, done, inputs, List.of(), foundation::buildFoundation);
            }
            List<StageName> base = config.usesWorld() ? List.of(StageName.FOUNDATION) : List.of();
            stage(StageName.INGEST, request, done, inputs, base, ingest::ingestSentences);
            if (config.needsPFormer()) {
                stage(StageName.PFORMER, request, done, inputs, plus(base, StageName.INGEST), pformer::pretrainPFormer);
            }
            // a stage depends on the P-Former only when its own alignment weight is positive: stage 1 of the
            // omega1 = 0 baseline is then shared by every omega2 of an ablation grid, with or without a P-Former
            stage(StageName.STAGE1, request, done, inputs,
                    config.stage1().omega1() > 0 ? plus(base, StageName.PFORMER) : base, stage1::trainStage1);
            List<StageName> s2 = plus(base, StageName.STAGE1);
            stage(StageName.STAGE2, request, done, inputs,
                    config.stage2().omega2() > 0 ? plus(s2, StageName.PFORMER) : s2, stage2::trainStage2);

            List<Promise<Void>> evals = new ArrayList<>();
            if (config.eval().vqa().enabled()) {
                evals.add(Async.procedure(() -> stage(StageName.EVAL_VQA, request, done, inputs,
                        plus(base, StageName.STAGE2), eval::evaluateVqa)));
            }
            if (config.eval().caption().enabled()) {
                evals.add(Async.procedure(() -> stage(StageName.EVAL_CAPTION, request, done, inputs,
                        plus(base, StageName.STAGE2), eval::evaluateCaptioning)));
            }
            if (config.eval().retrieval().enabled()) {
                evals.add(Async.procedure(() -> stage(StageName.EVAL_RETRIEVAL, request, done, inputs,
                        plus(base, StageName.STAGE1), eval::evaluateRetrieval)));
            }
            Promise.allOf(evals).get();
            Promise.allOf(records).get();

            Map<String, Double> metrics = new TreeMap<>();
            for (StageName s : List.of(StageName.EVAL_VQA, StageName.EVAL_CAPTION, StageName.EVAL_RETRIEVAL)) {
                if (done.containsKey(s)) {
                    done.get(s).metrics().forEach((k, v) -> metrics.put(s.id().substring("eval-".length()) + "/" + k, v));
                }
            }
            pipeline.endTrackingRun(run, metrics, "FINISHED");
            state = "COMPLETED";
            return new PipelineResult(workflowId, config.stage1().omega1(), config.stage2().omega2(), config.seed(), done,
                    metrics);
        } catch (RuntimeException e) {
            // a cancelled workflow sees its running activity fail with a CanceledFailure cause
            boolean cancelled = e instanceof CanceledFailure || CancellationScope.current().isCancelRequested();
            state = cancelled ? "CANCELLED" : "FAILED";
            markUnfinished(state, cancelled ? "pipeline cancelled" : rootMessage(e));
            Workflow.newDetachedCancellationScope(() -> {
                awaitRecords();
                pipeline.endTrackingRun(run, Map.of(), cancelled ? "KILLED" : "FAILED");
            }).run();
            throw e;
        }
    }

    /** Runs one stage: from the cache if its key is known, else through its activity, re-run after a pause. */
    private void stage(StageName stage, PipelineRequest request, Map<StageName, StageResult> done,
                       Map<String, String> inputs, List<StageName> upstream,
                       Functions.Func1<StageRequest, StageResult> activity) {
        Map<StageName, StageResult> ups = new EnumMap<>(StageName.class);
        List<String> upstreamKeys = new ArrayList<>();
        for (StageName u : upstream) {
            StageResult r = done.get(u);
            ups.put(u, r);
            upstreamKeys.add(u.id() + "=" + r.key());
        }
        String key = StageKey.compute(stage, config, upstreamKeys, InputNames.readBy(stage, inputs));
        String storeUri = config.store().uri();

        setStatus(stage, key, "RUNNING", Workflow.currentTimeMillis(), 0, null);
        Workflow.upsertTypedSearchAttributes(SearchAttributes.STAGE.valueSet(stage.id()));
        StageResult cached = pipeline.lookupStage(storeUri, key);
        if (cached != null) {
            LOG.info("stage {} reused from the cache (key {})", stage.id(), key);
            done.put(stage, cached);
            setStatus(stage, key, "CACHED", statuses.get(stage).startedAt(), Workflow.currentTimeMillis(), null);
            return;
        }
        StageRequest stageRequest = new StageRequest(Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getWorkflowId(),
                config, stage, key, ups);
        StageResult[] result = new StageResult[1];
        while (result[0] == null) {
            Workflow.await(() -> !paused);
            setStatus(stage, key, "RUNNING", statuses.get(stage).startedAt(), 0, null);
            CancellationScope scope = Workflow.newCancellationScope(() -> result[0] = activity.apply(stageRequest));
            runningStage = scope;
            try {
                scope.run();
            } catch (ActivityFailure f) {
                if (f.getCause() instanceof CanceledFailure && paused && !CancellationScope.current().isCancelRequested()) {
                    LOG.info("stage {} paused at its last checkpoint", stage.id());
                    setStatus(stage, key, "PAUSED", statuses.get(stage).startedAt(), 0, "paused");
                    continue;
                }
                throw f;
            } finally {
                runningStage = null;
            }
        }
        if (concurrentRecords) {
            // detached: a cancellation of the pipeline does not cancel the record of a stage that finished
            StageResult finished = result[0];
            Workflow.newDetachedCancellationScope(
                    () -> records.add(Async.procedure(pipeline::recordStage, storeUri, finished))).run();
        } else {
            pipeline.recordStage(storeUri, result[0]);
        }
        done.put(stage, result[0]);
        setStatus(stage, key, "DONE", statuses.get(stage).startedAt(), Workflow.currentTimeMillis(), null);
    }

    /**
     * Waits for the stage records in flight on a failing pipeline: the stages that finished stay reusable by a rerun.
     * A record that failed too is logged; the pipeline's own failure is the one reported.
     */
    private void awaitRecords() {
        for (Promise<Void> record : records) {
            try {
                record.get();
            } catch (RuntimeException e) {
                LOG.warn("a finished stage could not be recorded in the stage cache: {}", rootMessage(e));
            }
        }
    }

    @Override
    public PipelineStatus status() {
        return new PipelineStatus(paused && "RUNNING".equals(state) ? "PAUSED" : state, paused,
                List.copyOf(statuses.values()));
    }

    @Override
    public void pause() {
        paused = true;
        if (runningStage != null) {
            runningStage.cancel("paused by signal");
        }
    }

    @Override
    public void resume() {
        paused = false;
    }

    // ---------------------------------------------------------------------------------------------------------

    private void stubs(PipelineRequest request) {
        RuntimeConfig rt = config.runtime();
        RetryOptions light = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setMaximumInterval(Duration.ofMinutes(1))
                .setMaximumAttempts(30)
                .setDoNotRetry(FailureTypes.NON_RETRYABLE)
                .build();
        // Bookkeeping (cache lookups, stage records, tracking runs) reads and writes a few small objects: a worker
        // killed while running one must not hold the pipeline for long, as these activities do not heartbeat.
        // The pre-flight lists every input (whole S3 prefixes of images) and may take minutes.
        ActivityOptions bookkeeping = ActivityOptions.newBuilder()
                .setTaskQueue(request.queues().pipeline())
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setRetryOptions(light)
                .build();
        // Since LOCAL_BOOKKEEPING, bookkeeping runs as local activities, inside the workflow task of the pipeline
        // worker that runs this workflow (which registers them): no task-queue round trip and no extra workflow
        // task per call, about 0.2 s less per stage. Workflows started before keep their activities on replay.
        if (Workflow.getVersion(LOCAL_BOOKKEEPING, Workflow.DEFAULT_VERSION, 1) >= 1) {
            pipeline = Workflow.newLocalActivityStub(PipelineActivities.class, LocalActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(light)
                    .build());
        } else {
            pipeline = Workflow.newActivityStub(PipelineActivities.class, bookkeeping);
        }
        concurrentRecords = Workflow.getVersion(CONCURRENT_RECORDS, Workflow.DEFAULT_VERSION, 1) >= 1;
        preflight = Workflow.newActivityStub(PipelineActivities.class, ActivityOptions.newBuilder(bookkeeping)
                .setStartToCloseTimeout(Duration.ofMinutes(10))
                .build());
        RetryOptions stageRetry = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(5))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofMinutes(10))
                .setMaximumAttempts(rt.maxAttempts())
                .setDoNotRetry(FailureTypes.NON_RETRYABLE)
                .build();
        ActivityOptions.Builder heavy = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofHours(rt.stageTimeoutHours()))
                .setHeartbeatTimeout(Duration.ofSeconds(rt.heartbeatTimeoutSeconds()))
                .setRetryOptions(stageRetry)
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
        ActivityOptions gpu = heavy.setTaskQueue(request.queues().gpu()).build();
        ActivityOptions cpu = ActivityOptions.newBuilder(gpu).setTaskQueue(request.queues().cpu()).build();
        foundation = Workflow.newActivityStub(StageActivities.FoundationActivities.class, gpu);
        ingest = Workflow.newActivityStub(StageActivities.IngestActivities.class, cpu);
        pformer = Workflow.newActivityStub(StageActivities.PFormerActivities.class, gpu);
        stage1 = Workflow.newActivityStub(StageActivities.Stage1Activities.class, gpu);
        stage2 = Workflow.newActivityStub(StageActivities.Stage2Activities.class, gpu);
        eval = Workflow.newActivityStub(StageActivities.EvalActivities.class, gpu);
    }

    /** Lists the stages this configuration runs, PENDING, so that the status query shows the whole plan at once. */
    private void plan() {
        List<StageName> planned = new ArrayList<>();
        if (config.usesWorld()) {
            planned.add(StageName.FOUNDATION);
        }
        planned.add(StageName.INGEST);
        if (config.needsPFormer()) {
            planned.add(StageName.PFORMER);
        }
        planned.add(StageName.STAGE1);
        planned.add(StageName.STAGE2);
        if (config.eval().vqa().enabled()) {
            planned.add(StageName.EVAL_VQA);
        }
        if (config.eval().caption().enabled()) {
            planned.add(StageName.EVAL_CAPTION);
        }
        if (config.eval().retrieval().enabled()) {
            planned.add(StageName.EVAL_RETRIEVAL);
        }
        for (StageName s : planned) {
            setStatus(s, null, "PENDING", 0, 0, null);
        }
    }

    private void setStatus(StageName stage, String key, String s, long startedAt, long finishedAt, String message) {
        statuses.put(stage, new PipelineStatus.Stage(stage, key, s, startedAt, finishedAt, message));
    }

    private void markUnfinished(String s, String message) {
        for (PipelineStatus.Stage st : List.copyOf(statuses.values())) {
            if (st.state().equals("RUNNING") || st.state().equals("PAUSED") || st.state().equals("PENDING")) {
                setStatus(st.stage(), st.key(), st.state().equals("PENDING") ? "SKIPPED" : s, st.startedAt(),
                        Workflow.currentTimeMillis(), message);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static List<StageName> plus(List<StageName> base, StageName more) {
        List<StageName> out = new ArrayList<>(base);
        out.add(more);
        return out;
    }

    static String runName(PipelineConfig c) {
        return c.name() + " ω1=" + fmt(c.stage1().omega1()) + " ω2=" + fmt(c.stage2().omega2()) + " seed=" + c.seed();
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static Map<String, String> params(PipelineConfig c, PipelineRequest r) {
        Map<String, String> p = new TreeMap<>();
        p.put("config_source", String.valueOf(r.configSource()));
        p.put("omega1", Double.toString(c.stage1().omega1()));
        p.put("omega2", Double.toString(c.stage2().omega2()));
        p.put("seed", Long.toString(c.seed()));
        p.put("data_source", c.data().source());
        if (c.usesWorld()) {
            p.put("world_size", c.world().size());
        }
        p.put("contrastive", c.pformer().contrastive());
        p.put("precision", c.runtime().precision());
        return p;
    }

    private static Map<String, String> tags(PipelineConfig c, PipelineRequest r, String workflowId) {
        Map<String, String> t = new TreeMap<>();
        t.put("pformer.workflow_id", workflowId);
        t.put("pformer.config_hash", c.configHash());
        t.put("pformer.git_commit", r.gitCommit());
        t.put("pformer.kind", "pipeline");
        if (r.parentRunKey() != null) { // the ablation grid's workflow id: `pformer compare --ablation` selects on it
            t.put("pformer.ablation", r.parentRunKey());
        }
        t.put("omega1", Double.toString(c.stage1().omega1()));
        t.put("omega2", Double.toString(c.stage2().omega2()));
        t.put("seed", Long.toString(c.seed()));
        return t;
    }
}
