package org.pformer.model.foundation;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.pformer.model.io.SafeTensorsWriter;
import org.pformer.model.nn.Module;
import org.pformer.model.train.BatchSource;
import org.pformer.model.train.Objective;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.Trainer;
import org.pformer.model.train.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the two foundation trainings share: resume, the trainer loop, and writing weights in HF layout. */
final class FoundationRun {

    private static final Logger LOG = LoggerFactory.getLogger(FoundationRun.class);
    private static final Pattern CHECKPOINT = Pattern.compile("ckpt-(\\d+)\\.safetensors");
    static final ObjectMapper JSON = new ObjectMapper();

    /** How the trainer loop ended. */
    record Outcome(boolean completed, long step, Map<String, Double> lastStepMetrics) {}

    /** Weights written: the file and its SHA-256. */
    record Written(Path file, String sha256) {}

    private FoundationRun() {}

    /**
     * Restores from {@code options.resumeFrom()} when given, then trains to {@code plan.steps()} with checkpoints
     * into {@code options.checkpointDir()}, stopping (after a checkpoint) when {@code stop} says so.
     */
    static <B> Outcome train(Module model, Objective<B> objective, BatchSource<B> source, TrainingPlan plan,
            RunOptions options, TrainingListener listener, BooleanSupplier stop) throws IOException {
        try (Trainer<B> trainer = new Trainer<>(model, objective, source, plan.trainerConfig(), listener)) {
            Optional<Path> checkpoint = resumePoint(options.resumeFrom());
            if (checkpoint.isPresent()) {
                trainer.restore(checkpoint.get());
            }
            List<StepMetrics> log = trainer.train(plan.steps(), plan.checkpointEvery(), options.checkpointDir(),
                    stop);
            Map<String, Double> last = log.isEmpty() ? Map.of() : log.get(log.size() - 1).values();
            boolean completed = trainer.currentStep() >= plan.steps();
            if (!completed) {
                LOG.info("stopped at step {} of {}", trainer.currentStep(), plan.steps());
            }
            return new Outcome(completed, trainer.currentStep(), last);
        }
    }

    /**
     * The checkpoint to resume from: {@code from} itself when it is a file, the newest {@code ckpt-<step>} in it
     * when it is a directory (none: a fresh start), nothing when it is null.
     */
    static Optional<Path> resumePoint(Path from) throws IOException {
        if (from == null) {
            return Optional.empty();
        }
        if (Files.isDirectory(from)) {
            Optional<Path> newest;
            try (Stream<Path> files = Files.list(from)) {
                newest = files.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                        .max(Comparator.comparingLong(FoundationRun::stepOf));
            }
            if (newest.isEmpty()) {
                LOG.info("no checkpoint in {}: starting from step 0", from);
            }
            return newest;
        }
        if (!Files.isRegularFile(from)) {
            throw new NoSuchFileException(from.toString(), null, "checkpoint to resume from does not exist");
        }
        return Optional.of(from);
    }

    private static long stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Writes a module's parameters under their (HF) names with {@code {"format": "pt", "config": <HF config
     * JSON>}} metadata, as {@code save_pretrained} writes {@code model.safetensors} plus {@code config.json}.
     */
    static Written save(Module module, Path file, ObjectNode hfConfig) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> tensors.put(name, p.array()));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("config", JSON.writeValueAsString(hfConfig));
        String sha = SafeTensorsWriter.write(file, tensors, metadata);
        LOG.info("wrote {} ({} tensors, sha256 {})", file, tensors.size(), sha);
        return new Written(file, sha);
    }
}
