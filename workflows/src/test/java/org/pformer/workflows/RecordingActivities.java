package org.pformer.workflows;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.PipelineActivities;
import org.pformer.activities.api.StageActivities;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.api.TrackingRun;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.store.ArtifactRef;

/**
 * Test implementations of the pipeline's activity interfaces: they keep the stage cache in memory, record every
 * call, and return results whose metrics derive from the stage key, so the workflow logic is tested on its own.
 */
class RecordingActivities implements PipelineActivities, StageActivities.FoundationActivities,
        StageActivities.IngestActivities, StageActivities.PFormerActivities, StageActivities.Stage1Activities,
        StageActivities.Stage2Activities, StageActivities.EvalActivities {

    final Map<String, StageResult> cache = new ConcurrentHashMap<>();
    final List<StageRequest> stageCalls = new CopyOnWriteArrayList<>();
    final List<String> trackingCalls = new CopyOnWriteArrayList<>();
    /** "lookup STAGE", "record-start STAGE", "record-end STAGE", in the order they happened. */
    final List<String> bookkeeping = new CopyOnWriteArrayList<>();
    volatile StageName blockUntilCancelled;
    volatile StageName failNonRetryable;
    /** Recording this stage's result takes half a second. */
    volatile StageName slowRecord;

    @Override
    public Map<String, String> preflight(PipelineConfig config) {
        return Map.of();
    }

    @Override
    public StageResult lookupStage(String storeUri, String key) {
        StageResult hit = cache.get(key);
        bookkeeping.add("lookup " + (hit == null ? "miss" : hit.stage()));
        return hit;
    }

    @Override
    public void recordStage(String storeUri, StageResult result) {
        bookkeeping.add("record-start " + result.stage());
        if (result.stage() == slowRecord) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApplicationFailure.newFailure("interrupted", "Interrupted");
            }
        }
        cache.put(result.key(), result);
        bookkeeping.add("record-end " + result.stage());
    }

    @Override
    public void startTrackingRun(TrackingRun run) {
        trackingCalls.add("start " + run.key() + (run.parentKey() == null ? "" : " parent=" + run.parentKey()));
    }

    @Override
    public void endTrackingRun(TrackingRun run, Map<String, Double> metrics, String status) {
        trackingCalls.add("end " + run.key() + " " + status + " " + metrics.keySet());
    }

    long calls(StageName stage) {
        return stageCalls.stream().filter(r -> r.stage() == stage).count();
    }

    long distinctKeys(StageName stage) {
        return stageCalls.stream().filter(r -> r.stage() == stage).map(StageRequest::key).distinct().count();
    }

    private StageResult run(StageRequest request) {
        stageCalls.add(request);
        if (request.stage() == failNonRetryable) {
            throw FailureTypes.nonRetryable(FailureTypes.NON_FINITE_LOSS, "loss became NaN at step 3", null);
        }
        if (request.stage() == blockUntilCancelled) {
            ActivityExecutionContext ctx = Activity.getExecutionContext();
            try {
                while (true) {
                    ctx.heartbeat(null);
                    Thread.sleep(50);
                }
            } catch (ActivityCanceledException e) {
                blockUntilCancelled = null; // the resumed attempt completes
                throw e;
            } catch (InterruptedException e) {
                throw ApplicationFailure.newFailure("interrupted", "Interrupted");
            }
        }
        ArtifactRef ref = new ArtifactRef("file:///store/stages/" + request.key() + "/out.bin",
                request.key(), request.key().length());
        double score = Integer.parseInt(request.key().substring(0, 4), 16) / 65535.0;
        return new StageResult(request.stage(), request.key(), Map.of("checkpoint", ref), Map.of("score", score),
                request.runKey(), 10);
    }

    @Override
    public StageResult buildFoundation(StageRequest request) {
        return run(request);
    }

    @Override
    public StageResult ingestSentences(StageRequest request) {
        return run(request);
    }

    @Override
    public StageResult pretrainPFormer(StageRequest request) {
        return run(request);
    }

    @Override
    public StageResult trainStage1(StageRequest request) {
        return run(request);
    }

    @Override
    public StageResult trainStage2(StageRequest request) {
        return run(request);
    }

    @Override
    public StageResult evaluateVqa(StageRequest request) {
        return run(request);
    }

    @Override
    public StageResult evaluateCaptioning(StageRequest request) {
        return run(request);
    }

    @Override
    public StageResult evaluateRetrieval(StageRequest request) {
        return run(request);
    }
}
