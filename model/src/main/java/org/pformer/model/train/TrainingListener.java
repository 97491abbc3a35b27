package org.pformer.model.train;

import java.nio.file.Path;

/**
 * Receives training progress. The orchestration layer forwards it (heartbeats, experiment tracking); the model
 * module knows nothing of either. Called on the training thread: keep it quick.
 */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {};

    default void onStep(StepMetrics metrics) {}

    default void onCheckpoint(CheckpointInfo checkpoint) {}

    /** A checkpoint that has been written completely and atomically. */
    record CheckpointInfo(long step, Path file, String sha256, long bytes) {}
}
