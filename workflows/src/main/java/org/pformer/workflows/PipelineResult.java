package org.pformer.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.activities.api.StageResult;
import org.pformer.config.StageName;

/** What a pipeline execution produced: every stage's result and the evaluation metrics, prefixed by evaluation. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PipelineResult(String workflowId, double omega1, double omega2, long seed,
                             Map<StageName, StageResult> stages, Map<String, Double> metrics) {

    public PipelineResult {
        stages = stages == null ? Map.of() : new TreeMap<>(stages);
        metrics = metrics == null ? Map.of() : new TreeMap<>(metrics);
    }
}
