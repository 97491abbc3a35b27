package org.pformer.activities.stages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.pformer.activities.StageRun;
import org.pformer.config.TrainConfig;
import org.pformer.model.foundation.TrainingPlan;
import org.pformer.model.nn.Module;
import org.pformer.model.train.BatchSource;
import org.pformer.model.train.Objective;
import org.pformer.model.train.Trainer;

/**
 * The training loop of a stage with one trained model (P-Former, stage 1, stage 2): plan from the stage's
 * {@code train} section, restore from the stage's last checkpoint, train with checkpoints uploaded through a
 * {@link TrainingBridge}, stop with a checkpoint when cancelled.
 */
final class StageTraining {

    /** The outcome: steps trained in total and the last step's metrics (without timings). */
    record Outcome(long steps, Map<String, Double> metrics) {}

    private StageTraining() {}

    /** Writes a file of the stage's output. */
    @FunctionalInterface
    interface Writer {
        void write(Path file) throws IOException;
    }

    /**
     * Writes {@code out/<name>.safetensors} in the work directory, stores it under the stage key and logs it as an
     * artifact of the stage's run.
     */
    static org.pformer.store.ArtifactRef publishWeights(StageRun run, String name, Writer writer) throws IOException {
        String relative = "out/" + name + ".safetensors";
        Path file = run.workDir().resolve(relative);
        Files.createDirectories(file.getParent());
        writer.write(file);
        org.pformer.store.ArtifactRef ref = run.putFile(relative, file);
        run.logArtifact(run.request().stage().id() + "/weights", ref);
        return ref;
    }

    static <B> Outcome train(StageRun run, Module model, Objective<B> objective, BatchSource<B> source,
            TrainConfig train, long examplesPerEpoch) throws IOException {
        long seed = run.request().config().seed();
        TrainingPlan plan;
        try {
            plan = TrainingPlan.from(train, seed, examplesPerEpoch);
        } catch (IllegalArgumentException e) {
            throw new StageExecutor.InvalidStageConfig(run.request().stage().id() + ".train: " + e.getMessage());
        }
        Optional<StageRun.Restored> restored = run.restore();
        TrainingBridge bridge = new TrainingBridge(run, train.logEvery(), "", 0, plan.steps()).resumedFrom(restored);
        Path checkpoints = Files.createDirectories(run.workDir().resolve("checkpoints"));
        try (Trainer<B> trainer = new Trainer<>(model, objective, source, plan.trainerConfig(), bridge)) {
            Optional<Path> from = TrainingBridge.checkpointIn(restored, "");
            if (from.isPresent()) {
                trainer.restore(from.get());
            }
            trainer.train(plan.steps(), plan.checkpointEvery(), checkpoints, bridge);
            bridge.rethrowIfCancelled();
            if (trainer.currentStep() < plan.steps()) {
                throw new IllegalStateException("training stopped at step " + trainer.currentStep() + " of "
                        + plan.steps() + " without a stop request");
            }
            return new Outcome(trainer.currentStep(), bridge.lastMetrics());
        }
    }
}
