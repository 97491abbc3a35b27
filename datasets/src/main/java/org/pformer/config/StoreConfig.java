package org.pformer.config;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** Where artifacts live: {@code s3://bucket/prefix} (credentials from the environment) or {@code file:///dir}. */
public record StoreConfig(
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\\s]*)?|file:/[^\\s]+)",
                message = "expected s3://bucket[/prefix] or file:///absolute/dir")
        String uri) {}
