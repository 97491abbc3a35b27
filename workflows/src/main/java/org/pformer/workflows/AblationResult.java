package org.pformer.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** One row per grid point and seed, in grid order. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AblationResult(String workflowId, List<PipelineResult> rows) {}
