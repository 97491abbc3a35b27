package org.pformer.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * BLIP-2 stage 1: ITC + ITM + ITG + omega1 * L_align (paper Eq. 8). {@code pformer_dropout_in_targets}
 * reproduces the reference code's train-mode P-Former; {@code target_cache} reuses the frozen P-Former's [CLS]
 * per caption instead of re-encoding it every step (METHOD.md "Cost note").
 */
public record Stage1Config(
        @PositiveOrZero(message = "expected a number >= 0 (omega1 weighs the alignment loss)") double omega1,
        @NotNull(message = "missing; expected a value") @Valid TrainConfig train,
        boolean pformerDropoutInTargets,
        boolean targetCache) {}
