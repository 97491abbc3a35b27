package org.pformer.activities.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;

/**
 * Everything a stage activity needs: the configuration, its cache key, the results of the stages it depends on,
 * and where to log. Small by construction: upstream results carry references only.
 *
 * @param workflowId   the pipeline execution (for MLflow tags and logs)
 * @param parentRunKey the pipeline's MLflow run key; the stage logs to a child run
 * @param config       the validated pipeline configuration
 * @param stage        which stage to run
 * @param key          this stage's cache key
 * @param upstream     finished upstream stages by name
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageRequest(String workflowId, String parentRunKey, PipelineConfig config, StageName stage, String key,
                           Map<StageName, StageResult> upstream) {

    public StageRequest {
        upstream = upstream == null ? Map.of() : new TreeMap<>(upstream);
    }

    public StageResult upstream(StageName name) {
        StageResult r = upstream.get(name);
        if (r == null) {
            throw new IllegalStateException("stage " + stage.id() + " needs the result of " + name.id()
                    + " but got only " + upstream.keySet());
        }
        return r;
    }

    /** The MLflow run key of this stage: one run per stage key within a pipeline execution. */
    public String runKey() {
        return parentRunKey + "/" + stage.id();
    }
}
