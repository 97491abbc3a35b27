package org.pformer.activities.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.Map;
import org.pformer.config.PipelineConfig;

/** Light bookkeeping on the {@code pipeline} queue: pre-flight checks, the stage cache, the MLflow parent runs. */
@ActivityInterface
public interface PipelineActivities {

    /**
     * Checks what can be checked before any training time is spent (configuration, inputs reachable and readable,
     * store writable) and returns the digests of the external inputs, by input name.
     */
    @ActivityMethod(name = "Preflight")
    Map<String, String> preflight(PipelineConfig config);

    /** The cached result of a stage key, or null. A result whose artifacts fail verification is not returned. */
    @ActivityMethod(name = "LookupStage")
    StageResult lookupStage(String storeUri, String key);

    @ActivityMethod(name = "RecordStage")
    void recordStage(String storeUri, StageResult result);

    /** Starts (idempotently) the MLflow run of a pipeline or of an ablation grid. */
    @ActivityMethod(name = "StartTrackingRun")
    void startTrackingRun(TrackingRun run);

    /** Logs final metrics to a pipeline's or a grid's run and ends it with FINISHED, FAILED or KILLED. */
    @ActivityMethod(name = "EndTrackingRun")
    void endTrackingRun(TrackingRun run, Map<String, Double> metrics, String status);
}
