package org.pformer.activities.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Task queue names (ARCHITECTURE.md): {@code pipeline} for workflows and light activities, {@code cpu} for
 * ingestion and metrics, {@code gpu} for training and generation (one activity slot per GPU). A prefix isolates a
 * deployment or a test run from others sharing the same Temporal namespace.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskQueues(String pipeline, String cpu, String gpu) {

    public static TaskQueues defaults() {
        return withPrefix("");
    }

    public static TaskQueues withPrefix(String prefix) {
        return new TaskQueues(prefix + "pipeline", prefix + "cpu", prefix + "gpu");
    }
}
