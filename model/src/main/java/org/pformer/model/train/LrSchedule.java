package org.pformer.model.train;

/**
 * Learning rate per optimizer step: linear warm-up from {@code warmupLr} to {@code initLr} over
 * {@code warmupSteps} (LAVIS {@code warmup_lr_schedule}), then cosine from {@code initLr} to {@code minLr} over
 * the remaining steps up to {@code totalSteps} (per step; LAVIS decays per epoch), constant {@code minLr} after.
 */
public record LrSchedule(double initLr, double minLr, double warmupLr, int warmupSteps, long totalSteps) {

    public LrSchedule {
        if (!(initLr > 0) || minLr < 0 || warmupLr < 0 || warmupSteps < 0 || totalSteps <= 0) {
            throw new IllegalArgumentException("invalid schedule: " + this);
        }
    }

    /** METHOD.md stage-0 defaults: 1e-4 → cosine to 1e-5, warm-up from 1e-6 over 2,000 steps. */
    public static LrSchedule stage0(long totalSteps) {
        return new LrSchedule(1e-4, 1e-5, 1e-6, 2000, totalSteps);
    }

    /** The rate for the optimizer step with 0-based index {@code step}. */
    public double lr(long step) {
        if (step < warmupSteps) {
            return warmupLr + (initLr - warmupLr) * step / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return minLr + (initLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
