package org.pformer.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Where and how numbers are computed, and how stages are supervised. {@code precision} applies to the frozen
 * modules (vision encoder, LLM) on a GPU; trainable parameters, optimiser state and losses stay fp32.
 * {@code threads: 0} lets the engine decide. A stage whose worker stops heartbeating for
 * {@code heartbeat_timeout_seconds} is retried (from its last checkpoint) up to {@code max_attempts} times.
 * None of these change results, so none is part of a stage cache key except {@code precision}.
 */
public record RuntimeConfig(
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "cpu|gpu", message = "expected 'cpu' or 'gpu'") String device,
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "fp32|fp16|bf16", message = "expected 'fp32', 'fp16' or 'bf16'") String precision,
        @PositiveOrZero(message = "expected an integer >= 0") int threads,
        @Min(value = 5, message = "expected an integer >= 5") int heartbeatTimeoutSeconds,
        @Min(value = 1, message = "expected an integer >= 1") int stageTimeoutHours,
        @Min(value = 1, message = "expected an integer >= 1") int maxAttempts) {}
