package org.pformer.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Optimisation of one training stage: AdamW with decoupled weight decay, linear warm-up from {@code warmup_lr}
 * to {@code init_lr} over {@code warmup_steps}, then cosine to {@code min_lr} (METHOD.md "Training defaults").
 * {@code max_steps > 0} caps the run; otherwise {@code epochs} over the data decide its length.
 */
public record TrainConfig(
        @PositiveOrZero(message = "expected an integer >= 0") int epochs,
        @PositiveOrZero(message = "expected an integer >= 0") long maxSteps,
        @Min(value = 1, message = "expected an integer >= 1") int batchSize,
        @Min(value = 1, message = "expected an integer >= 1") int accumulation,
        @Positive(message = "expected a number > 0") double initLr,
        @PositiveOrZero(message = "expected a number >= 0") double minLr,
        @PositiveOrZero(message = "expected a number >= 0") double warmupLr,
        @PositiveOrZero(message = "expected an integer >= 0") long warmupSteps,
        @PositiveOrZero(message = "expected a number >= 0") double weightDecay,
        @DecimalMin(value = "0", inclusive = false, message = "expected a number in (0, 1)")
        @DecimalMax(value = "1", inclusive = false, message = "expected a number in (0, 1)") double beta1,
        @DecimalMin(value = "0", inclusive = false, message = "expected a number in (0, 1)")
        @DecimalMax(value = "1", inclusive = false, message = "expected a number in (0, 1)") double beta2,
        @PositiveOrZero(message = "expected a number >= 0 (0 disables clipping)") double gradClip,
        @Min(value = 1, message = "expected an integer >= 1") long checkpointEvery,
        @Min(value = 1, message = "expected an integer >= 1") long logEvery) {

    @JsonIgnore
    @AssertTrue(message = "expected min_lr <= init_lr")
    public boolean isLrRangeOrdered() {
        return minLr <= initLr;
    }

    @JsonIgnore
    @AssertTrue(message = "expected epochs > 0 or max_steps > 0")
    public boolean isLengthGiven() {
        return epochs > 0 || maxSteps > 0;
    }
}
