package org.pformer.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * BLIP-2 stage 2: L_lm + omega2 * L_align (paper Eq. 9). {@code init_llm_proj_from_stage1} starts the LLM
 * projection from stage 1's alignment projection when omega1 > 0.
 */
public record Stage2Config(
        @PositiveOrZero(message = "expected a number >= 0 (omega2 weighs the alignment loss)") double omega2,
        @NotNull(message = "missing; expected a value") @Valid TrainConfig train,
        boolean initLlmProjFromStage1,
        @NotNull(message = "missing; expected a value") String prompt,
        boolean targetCache) {}
