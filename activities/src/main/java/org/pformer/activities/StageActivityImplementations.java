package org.pformer.activities;

import java.nio.file.Path;
import java.util.List;
import org.pformer.activities.stages.EvalActivitiesImpl;
import org.pformer.activities.stages.FoundationActivitiesImpl;
import org.pformer.activities.stages.IngestActivitiesImpl;
import org.pformer.activities.stages.PFormerActivitiesImpl;
import org.pformer.activities.stages.Stage1ActivitiesImpl;
import org.pformer.activities.stages.Stage2ActivitiesImpl;
import org.pformer.activities.stages.StageEnvironment;
import org.pformer.activities.stages.StageExecutor;
import org.pformer.activities.tracking.ExperimentTracker;

/**
 * The stage activity implementations a worker registers, by queue: ingestion on {@code cpu}; the foundation,
 * training and evaluation stages on {@code gpu}.
 */
public final class StageActivityImplementations {

    private final List<Object> cpu;
    private final List<Object> gpu;

    public StageActivityImplementations(StoreRegistry stores, ExperimentTracker tracker, Path workRoot) {
        this(StageEnvironment.temporal(stores, tracker, workRoot));
    }

    public StageActivityImplementations(StageEnvironment env) {
        StageExecutor executor = new StageExecutor(env);
        cpu = List.of(new IngestActivitiesImpl(executor));
        gpu = List.of(new FoundationActivitiesImpl(executor), new PFormerActivitiesImpl(executor),
                new Stage1ActivitiesImpl(executor), new Stage2ActivitiesImpl(executor),
                new EvalActivitiesImpl(executor));
    }

    public List<Object> cpu() {
        return cpu;
    }

    public List<Object> gpu() {
        return gpu;
    }
}
