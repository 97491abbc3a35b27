package org.pformer.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * P-Former pretraining (paper Eq. 4-5, METHOD.md stage 0). {@code contrastive}: {@code simcse} (the paper's
 * two-dropout-view InfoNCE, default) or {@code self} (the reference code's one-pass variant).
 */
public record PFormerStageConfig(
        @NotNull(message = "missing; expected a value") @Valid TrainConfig train,
        @Min(value = 1, message = "expected an integer in [1, 512]")
        @Max(value = 512, message = "expected an integer in [1, 512]") int numPrompt,
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "simcse|self", message = "expected 'simcse' or 'self'") String contrastive,
        @DecimalMin(value = "0", message = "expected a number in [0, 1)")
        @DecimalMax(value = "1", inclusive = false, message = "expected a number in [0, 1)") double maskProb,
        @Min(value = 2, message = "expected an integer >= 2") int maxTextLen) {}
