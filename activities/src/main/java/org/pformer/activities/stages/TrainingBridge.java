package org.pformer.activities.stages;

import io.temporal.client.ActivityCompletionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.pformer.activities.StageRun;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TrainingListener;

/**
 * Connects a trainer to its stage: every step heartbeats (the SDK throttles), every {@code log_every} steps the
 * metrics go to MLflow, every checkpoint the trainer writes is uploaded and only then heartbeated. A cancellation
 * (or pause) seen by a heartbeat does not abort the step: it asks the trainer to stop, which writes a last
 * checkpoint; {@link #rethrowIfCancelled()} then ends the attempt as cancelled.
 *
 * <p>A stage may train several models one after the other (the world's foundation: vision then LLM); each is a
 * phase with a step offset, so the stage's step counter and its checkpoints keep increasing across phases.
 */
public final class TrainingBridge implements TrainingListener, BooleanSupplier {

    private static final String METRICS = "metrics.json";

    private final StageRun run;
    private final long logEvery;
    private final long offset;
    private final long totalSteps;
    private final String phase;
    private ActivityCompletionException cancellation;
    private Map<String, Double> lastMetrics = Map.of();

    /**
     * @param phase      name of the sub-directory a checkpoint is filed under (one per trained model of the stage)
     * @param offset     steps of earlier phases
     * @param totalSteps steps of all phases
     */
    public TrainingBridge(StageRun run, long logEvery, String phase, long offset, long totalSteps) {
        this.run = run;
        this.logEvery = Math.max(1, logEvery);
        this.phase = phase;
        this.offset = offset;
        this.totalSteps = totalSteps;
    }

    @Override
    public void onStep(StepMetrics metrics) {
        long step = offset + metrics.step();
        lastMetrics = new java.util.TreeMap<>(metrics.values());
        Double seconds = metrics.values().get("step_time_s");
        if (seconds != null) {
            run.stepTimed(seconds);
        }
        try {
            if (metrics.step() % logEvery == 0 || step == totalSteps) {
                run.step(step, totalSteps, prefixed(metrics.values()));
            } else {
                run.progress(step, totalSteps);
            }
        } catch (ActivityCompletionException e) {
            cancellation = e;
        }
    }

    private Map<String, Double> prefixed(Map<String, Double> values) {
        if (phase.isEmpty()) {
            return values;
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        values.forEach((k, v) -> out.put(phase + "." + k, v));
        return out;
    }

    /** Uploads the checkpoint the trainer just wrote (alone, under {@code <phase>/}), then heartbeats it. */
    @Override
    public void onCheckpoint(CheckpointInfo checkpoint) {
        long step = offset + checkpoint.step();
        Path upload = run.workDir().resolve("upload").resolve("step-" + step);
        try {
            LocalArtifacts.deleteTree(upload);
            Path dir = Files.createDirectories(upload.resolve(phase.isEmpty() ? "trainer" : phase));
            Files.createLink(dir.resolve(checkpoint.file().getFileName()), checkpoint.file());
            Path sidecar = checkpoint.file().resolveSibling(checkpoint.file().getFileName() + ".sha256");
            Files.createLink(dir.resolve(sidecar.getFileName()), sidecar); // the trainer verifies it on restore
            StageJson.MAPPER.writeValue(dir.resolve(METRICS).toFile(), lastMetrics);
            run.checkpoint(step, upload);
            LocalArtifacts.deleteTree(upload);
            deleteOlderThan(checkpoint.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload checkpoint " + checkpoint.file(), e);
        } catch (ActivityCompletionException e) {
            cancellation = e;
        }
    }

    /** Local checkpoints are only needed until uploaded: keep the newest. */
    private static void deleteOlderThan(Path newest) throws IOException {
        try (Stream<Path> files = Files.list(newest.getParent())) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                // the newest checkpoint and its .sha256 sidecar share its name as prefix
                if (name.startsWith("ckpt-") && !name.startsWith(newest.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * The metrics of the last step trained, with timings (which differ between runs) left out: a stage's final
     * metrics. After a resume at the last step they come from the restored checkpoint.
     */
    public Map<String, Double> lastMetrics() {
        Map<String, Double> out = new java.util.TreeMap<>();
        lastMetrics.forEach((k, v) -> {
            if (!k.endsWith("_time_s") && !k.endsWith("_per_s")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Takes the last step's metrics from a restored checkpoint of this bridge's phase. */
    public TrainingBridge resumedFrom(Optional<StageRun.Restored> restored) throws IOException {
        if (restored.isPresent()) {
            Path file = restored.get().directory().resolve(phase.isEmpty() ? "trainer" : phase).resolve(METRICS);
            if (Files.isRegularFile(file)) {
                lastMetrics = StageJson.MAPPER.readValue(file.toFile(),
                        new com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, Double>>() {});
            }
        }
        return this;
    }

    /** The trainer polls this before every step. */
    @Override
    public boolean getAsBoolean() {
        return cancellation != null || Thread.currentThread().isInterrupted();
    }

    /** Ends the attempt as cancelled when a heartbeat said so (after the trainer's last checkpoint). */
    public void rethrowIfCancelled() {
        if (cancellation != null) {
            throw cancellation;
        }
    }

    /**
     * The trainer checkpoint of {@code phase} inside a restored checkpoint directory, if it holds one.
     */
    public static Optional<Path> checkpointIn(Optional<StageRun.Restored> restored, String phase) throws IOException {
        if (restored.isEmpty()) {
            return Optional.empty();
        }
        Path dir = restored.get().directory().resolve(phase.isEmpty() ? "trainer" : phase);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("ckpt-\\d+\\.safetensors")).findFirst();
        }
    }
}
