package org.pformer.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;

/** The shipped benchmark world (BENCHMARK.md): its size, its seed and the rendered image size. */
public record WorldConfig(
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "tiny|default|large", message = "expected 'tiny', 'default' or 'large'") String size,
        @PositiveOrZero(message = "expected an integer >= 0") long seed,
        @Min(value = 16, message = "expected an integer in [16, 1024]")
        @Max(value = 1024, message = "expected an integer in [16, 1024]") int imageSize) {}
