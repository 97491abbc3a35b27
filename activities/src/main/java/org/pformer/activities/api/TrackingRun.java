package org.pformer.activities.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/** An MLflow run of a pipeline or an ablation grid: experiment, key, parent key, display name, params and tags. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrackingRun(String experiment, String key, String parentKey, String name, Map<String, String> params,
                          Map<String, String> tags) {

    public TrackingRun {
        params = params == null ? Map.of() : Map.copyOf(params);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
