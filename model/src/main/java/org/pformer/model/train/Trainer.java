package org.pformer.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.NoGrad;
import org.pformer.model.nn.Parameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop shared by the stages: gradient accumulation over micro-batches, global-norm clipping,
 * AdamW with a warm-up + cosine schedule, step metrics to a {@link TrainingListener}, atomic checkpoints and
 * bit-exact resume.
 *
 * <p>Determinism: at the start of every micro-batch the engine RNG (dropout) is re-seeded and a Java generator
 * (data-side noise such as [MASK] corruption) is created from f(seed, step, micro-batch). The RNG state at a step
 * boundary is therefore a pure function of (seed, step), which is what a checkpoint stores; with the same CPU
 * thread count a resumed run reproduces the uninterrupted one bit for bit.
 *
 * <p>Memory: every micro-batch runs in its own child manager and {@link NDScope}, both closed before the next;
 * parameters and optimizer state live in long-lived managers.
 *
 * @param <B> the batch type
 */
public final class Trainer<B> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /**
     * @param seed run seed
     * @param microBatchSize examples per forward/backward pass
     * @param accumulationSteps micro-batches per optimizer step (each loss is divided by this)
     * @param schedule learning-rate schedule
     * @param adam AdamW hyper-parameters
     * @param maxGradNorm global-norm clipping threshold (0 = off)
     */
    public record Config(long seed, int microBatchSize, int accumulationSteps, LrSchedule schedule,
            AdamW.Hyper adam, double maxGradNorm) {
        public Config {
            Objects.requireNonNull(schedule, "schedule");
            Objects.requireNonNull(adam, "adam");
            if (microBatchSize <= 0 || accumulationSteps <= 0 || maxGradNorm < 0) {
                throw new IllegalArgumentException("invalid trainer config: " + this);
            }
        }

        public int batchSize() {
            return microBatchSize * accumulationSteps;
        }
    }

    private final Module model;
    private final Objective<B> objective;
    private final BatchSource<B> source;
    private final Config config;
    private final TrainingListener listener;
    private final Map<String, Parameter> trainable;
    private final NDManager stateManager;
    private final AdamW optimizer;
    private long step;

    /**
     * @param model the module whose trainable parameters are optimised (frozen ones are left alone)
     */
    public Trainer(Module model, Objective<B> objective, BatchSource<B> source, Config config,
            TrainingListener listener) {
        this.model = Objects.requireNonNull(model, "model");
        this.objective = Objects.requireNonNull(objective, "objective");
        this.source = Objects.requireNonNull(source, "source");
        this.config = Objects.requireNonNull(config, "config");
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.trainable = model.trainableParameters();
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("the model has no trainable parameters");
        }
        NDManager paramManager = trainable.values().iterator().next().array().getManager();
        this.stateManager = paramManager.newSubManager();
        this.optimizer = new AdamW(trainable, config.adam(), stateManager);
    }

    /** Number of completed optimizer steps. */
    public long currentStep() {
        return step;
    }

    public Config config() {
        return config;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Runs one optimizer step over {@code accumulationSteps} micro-batches and reports its metrics. */
    public StepMetrics step() {
        // outside the gradient collector nothing is recorded, whatever the calling thread's grad mode: the
        // optimizer and the temperature clamp update leaf parameters in place, which autograd refuses to record
        try (NoGrad noGrad = NoGrad.enter()) {
            return stepWithoutGrad();
        }
    }

    private StepMetrics stepWithoutGrad() {
        long started = System.nanoTime();
        double lr = config.schedule().lr(step);
        model.train();
        objective.beforeStep(); // in-place parameter tweaks (temperature clamp): grad mode is off here
        trainable.values().forEach(Parameter::zeroGradient);
        Map<String, Double> sums = new LinkedHashMap<>();
        int accumulation = config.accumulationSteps();
        for (int micro = 0; micro < accumulation; micro++) {
            long mixed = seedFor(config.seed(), step, micro);
            Engine.getEngine("PyTorch").setRandomSeed((int) (mixed ^ (mixed >>> 32)));
            B batch = source.next(config.microBatchSize());
            try (NDManager stepManager = stateManager.newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                Objective.Context context = new Objective.Context(stepManager, new SplittableRandom(mixed), step, micro);
                Map<String, NDArray> losses;
                try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                    losses = objective.losses(batch, context);
                    if (losses.isEmpty()) {
                        throw new IllegalStateException("objective returned no loss terms");
                    }
                    NDArray total = null;
                    for (NDArray term : losses.values()) {
                        total = total == null ? term : total.add(term);
                    }
                    collector.backward(Functional.scale(total, 1.0 / accumulation));
                }
                double totalValue = 0;
                for (Map.Entry<String, NDArray> term : losses.entrySet()) {
                    double value = term.getValue().getFloat();
                    if (!Double.isFinite(value)) {
                        throw new NonFiniteLossException("loss '" + term.getKey() + "' is " + value + " at step "
                                + (step + 1) + ", micro-batch " + micro);
                    }
                    sums.merge(term.getKey(), value / accumulation, Double::sum);
                    totalValue += value;
                }
                sums.merge("loss", totalValue / accumulation, Double::sum);
            }
        }
        double gradNorm = clipAndUpdate(lr);
        step++;
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> metrics = new LinkedHashMap<>(sums);
        metrics.put("lr", lr);
        metrics.put("grad_norm", gradNorm);
        metrics.put("step_time_s", seconds);
        metrics.put("examples_per_s", config.batchSize() / seconds);
        metrics.putAll(objective.metrics());
        StepMetrics result = new StepMetrics(step, metrics);
        listener.onStep(result);
        return result;
    }

    /**
     * Global-norm clipping and the AdamW update, as {@code clip_grad_norm_} then {@code optimizer.step()}: each
     * gradient is fetched once, and the clipping coefficient is applied inside the optimizer's update instead of
     * rescaling every gradient in place first.
     *
     * @return the gradient norm before clipping
     */
    private double clipAndUpdate(double lr) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Map<String, NDArray> gradients = AdamW.gradients(trainable);
            double gradNorm = GradientClipping.globalNorm(gradients.values());
            if (!Double.isFinite(gradNorm)) {
                throw new NonFiniteLossException("gradient norm is " + gradNorm + " at step " + (step + 1)
                        + "; non-finite gradients in " + nonFiniteGradients());
            }
            optimizer.step(lr, GradientClipping.coefficient(gradNorm, config.maxGradNorm()), gradients);
            return gradNorm;
        }
    }

    /**
     * Trains until {@code untilStep} steps are complete, writing a checkpoint every {@code checkpointEvery} steps
     * (0 = never) and at the end, and stopping early (after a checkpoint) when {@code stopRequested} says so.
     *
     * @return the metrics of the steps run
     */
    public List<StepMetrics> train(long untilStep, long checkpointEvery, Path checkpointDir,
            BooleanSupplier stopRequested) throws IOException {
        List<StepMetrics> out = new ArrayList<>();
        while (step < untilStep) {
            if (stopRequested.getAsBoolean()) {
                LOG.info("stop requested at step {}", step);
                if (checkpointDir != null) {
                    saveCheckpoint(checkpointDir);
                }
                return out;
            }
            out.add(step());
            if (checkpointDir != null && checkpointEvery > 0 && step % checkpointEvery == 0 && step < untilStep) {
                saveCheckpoint(checkpointDir);
            }
        }
        if (checkpointDir != null) {
            saveCheckpoint(checkpointDir);
        }
        return out;
    }

    /** Trains until {@code untilStep} steps are complete, without checkpoints. */
    public List<StepMetrics> train(long untilStep) {
        try {
            return train(untilStep, 0, null, () -> false);
        } catch (IOException e) {
            throw new IllegalStateException("unreachable: no checkpoints requested", e);
        }
    }

    /** Writes {@code ckpt-<step>.safetensors} (+ {@code .sha256}) into {@code dir} and notifies the listener. */
    public TrainingListener.CheckpointInfo saveCheckpoint(Path dir) throws IOException {
        Map<String, NDArray> params = new LinkedHashMap<>();
        trainable.forEach((n, p) -> params.put(n, p.array()));
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("intra_op_threads", Integer.toString(JniUtils.getNumThreads()));
        extra.put("micro_batch_size", Integer.toString(config.microBatchSize()));
        extra.put("accumulation_steps", Integer.toString(config.accumulationSteps()));
        TrainingListener.CheckpointInfo info = Checkpoints.write(dir.resolve(Checkpoints.fileName(step)), step,
                config.seed(), source.cursor(), params, optimizer.stateTensors(), optimizer.stepCounts(), extra);
        LOG.info("checkpoint at step {}: {} ({} bytes, sha256 {})", step, info.file(), info.bytes(), info.sha256());
        listener.onCheckpoint(info);
        return info;
    }

    /**
     * Restores parameters, optimizer state, step and data cursor from a checkpoint written by a trainer with the
     * same seed and the same trainable parameters.
     */
    public void restore(Path checkpoint) throws IOException {
        try (NDManager loading = stateManager.newSubManager()) {
            Checkpoints.State state = Checkpoints.read(checkpoint, loading);
            if (state.seed() != config.seed()) {
                throw new IllegalArgumentException("checkpoint " + checkpoint + " was written with seed "
                        + state.seed() + " but this run uses seed " + config.seed());
            }
            if (!state.parameters().keySet().equals(trainable.keySet())) {
                List<String> missing = new ArrayList<>(trainable.keySet());
                missing.removeAll(state.parameters().keySet());
                List<String> extra = new ArrayList<>(state.parameters().keySet());
                extra.removeAll(trainable.keySet());
                throw new IllegalArgumentException("checkpoint " + checkpoint + " does not match the trainable"
                        + " parameters: missing " + missing + ", unexpected " + extra);
            }
            for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
                NDArray value = state.parameters().get(e.getKey());
                if (!value.getShape().equals(e.getValue().shape())) {
                    throw new IllegalArgumentException("checkpoint " + checkpoint + ": '" + e.getKey() + "' has shape "
                            + value.getShape() + ", model has " + e.getValue().shape());
                }
            }
            trainable.forEach((n, p) -> p.replace(state.parameters().get(n)));
            optimizer.restore(state.optimizerTensors(), state.optimizerSteps());
            String threads = state.extra().get("intra_op_threads");
            if (threads != null && !threads.equals(Integer.toString(JniUtils.getNumThreads()))) {
                LOG.warn("checkpoint was written with {} intra-op threads, this run has {}: resumption is exact"
                        + " only with the same thread count", threads, JniUtils.getNumThreads());
            }
            source.seek(state.cursor());
            step = state.step();
        }
        LOG.info("restored step {} from {}", step, checkpoint);
    }

    private List<String> nonFiniteGradients() {
        List<String> names = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            trainable.forEach((name, p) -> {
                NDArray g = p.gradientOrNull();
                if (g != null && !Float.isFinite(g.abs().sum().getFloat())) {
                    names.add(name);
                }
            });
        }
        return names;
    }

    /** SplitMix64 of (seed, step, micro-batch): the per-micro-batch RNG seed. */
    static long seedFor(long seed, long step, int micro) {
        return splitMix(splitMix(seed) ^ splitMix(step * 0x9E3779B97F4A7C15L + micro));
    }

    private static long splitMix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Releases the optimizer state. */
    @Override
    public void close() {
        stateManager.close();
    }
}
