package org.pformer.activities;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pformer.activities.tracking.ExperimentTracker;

/**
 * The stage activity implementations a worker registers, by queue: ingestion on {@code cpu}; the foundation,
 * training and evaluation stages on {@code gpu}.
 */
public final class StageActivityImplementations {

    private final List<Object> cpu = new ArrayList<>();
    private final List<Object> gpu = new ArrayList<>();

    public StageActivityImplementations(StoreRegistry stores, ExperimentTracker tracker, Path workRoot) {
    }

    public List<Object> cpu() {
        return List.copyOf(cpu);
    }

    public List<Object> gpu() {
        return List.copyOf(gpu);
    }
}
