package org.pformer.config;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Where and how numbers are computed. {@code precision} applies to the frozen modules (vision encoder, LLM) on a
 * GPU; trainable parameters, optimiser state and losses stay fp32. {@code threads: 0} lets the engine decide.
 */
public record RuntimeConfig(
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "cpu|gpu", message = "expected 'cpu' or 'gpu'") String device,
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "fp32|fp16|bf16", message = "expected 'fp32', 'fp16' or 'bf16'") String precision,
        @PositiveOrZero(message = "expected an integer >= 0") int threads) {}
