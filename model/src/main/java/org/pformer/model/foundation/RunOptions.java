package org.pformer.model.foundation;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a foundation training run writes and what it resumes from.
 *
 * @param outputDir where the trained weights go (created if needed)
 * @param checkpointDir where checkpoints go ({@code ckpt-<step>.safetensors}); null for none
 * @param resumeFrom a checkpoint file, or a directory whose newest checkpoint is used (a directory without one
 *     means a fresh start); null for a fresh start
 * @param device where the model runs
 */
public record RunOptions(Path outputDir, Path checkpointDir, Path resumeFrom, Device device) {

    public RunOptions {
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(device, "device");
    }

    /** On the default device (a GPU when the engine has one). */
    public static RunOptions of(Path outputDir, Path checkpointDir, Path resumeFrom) {
        return new RunOptions(outputDir, checkpointDir, resumeFrom, Engine.getEngine("PyTorch").defaultDevice());
    }
}
