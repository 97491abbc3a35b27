package org.pformer.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.PipelineConfig;

/**
 * Input of a pipeline execution.
 *
 * @param config       the validated configuration
 * @param configSource where it was read from (for MLflow params and logs)
 * @param parentRunKey the MLflow run of the ablation grid this pipeline belongs to, or null
 * @param gitCommit    the code's commit (MLflow tag), or "unknown"
 * @param queues       task queues of the stage activities
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PipelineRequest(PipelineConfig config, String configSource, String parentRunKey, String gitCommit,
                              TaskQueues queues) {

    public PipelineRequest {
        queues = queues == null ? TaskQueues.defaults() : queues;
        gitCommit = gitCommit == null ? "unknown" : gitCommit;
    }
}
