package org.pformer.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import org.pformer.config.StageName;

/**
 * A pipeline's state as its workflow sees it (the {@code status} query). Step counts and losses of the running
 * stage live in its activity's heartbeat details, which the CLI reads alongside.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PipelineStatus(String state, boolean paused, List<Stage> stages) {

    /** PENDING, RUNNING, PAUSED, CACHED, DONE, SKIPPED, FAILED or CANCELLED. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Stage(StageName stage, String key, String state, long startedAt, long finishedAt, String message) {}
}
