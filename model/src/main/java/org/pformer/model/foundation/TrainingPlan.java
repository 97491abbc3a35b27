package org.pformer.model.foundation;

import org.pformer.config.TrainConfig;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.Trainer;

/**
 * How long and how one foundation model trains.
 *
 * @param seed run seed: parameter initialisation and the trainer's per-step RNG
 * @param steps optimizer steps
 * @param batchSize examples per optimizer step
 * @param accumulation micro-batches per step ({@code batchSize} must be a multiple of it)
 * @param schedule learning rate per step
 * @param adam AdamW hyper-parameters
 * @param maxGradNorm global-norm clipping (0 = off)
 * @param checkpointEvery steps between checkpoints (0 = only at the end and on a stop request)
 */
public record TrainingPlan(long seed, long steps, int batchSize, int accumulation, LrSchedule schedule,
                           AdamW.Hyper adam, double maxGradNorm, long checkpointEvery) {

    public TrainingPlan {
        if (steps <= 0 || batchSize <= 0 || accumulation <= 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("invalid training plan: " + steps + " steps, batch " + batchSize
                    + ", accumulation " + accumulation + ", checkpoint every " + checkpointEvery);
        }
        if (batchSize % accumulation != 0) {
            throw new IllegalArgumentException("batch_size " + batchSize + " is not a multiple of accumulation "
                    + accumulation);
        }
    }

    /**
     * The plan for a stage's {@link TrainConfig}: {@code batch_size} examples per optimizer step, split into
     * {@code accumulation} micro-batches; {@code epochs} over {@code examplesPerEpoch} examples, capped by
     * {@code max_steps} when that is set.
     */
    public static TrainingPlan from(TrainConfig c, long seed, long examplesPerEpoch) {
        long epochSteps = (examplesPerEpoch + c.batchSize() - 1) / c.batchSize();
        long steps = c.epochs() > 0 ? c.epochs() * epochSteps : c.maxSteps();
        if (c.maxSteps() > 0) {
            steps = Math.min(steps, c.maxSteps());
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("the training config gives no steps: epochs " + c.epochs()
                    + " over " + examplesPerEpoch + " examples, max_steps " + c.maxSteps());
        }
        if (c.warmupSteps() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("warmup_steps " + c.warmupSteps() + " is too large");
        }
        return new TrainingPlan(seed, steps, c.batchSize(), c.accumulation(),
                new LrSchedule(c.initLr(), c.minLr(), c.warmupLr(), (int) c.warmupSteps(), steps),
                new AdamW.Hyper(c.beta1(), c.beta2(), 1e-8, c.weightDecay()), c.gradClip(), c.checkpointEvery());
    }

    /** The trainer's configuration for this plan. */
    public Trainer.Config trainerConfig() {
        return new Trainer.Config(seed, batchSize / accumulation, accumulation, schedule, adam, maxGradNorm);
    }
}
