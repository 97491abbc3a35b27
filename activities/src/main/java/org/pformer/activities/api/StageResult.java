package org.pformer.activities.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.config.StageName;
import org.pformer.store.ArtifactRef;

/**
 * What a finished stage leaves behind: references to its artifacts (never the bytes), its final metrics, and the
 * MLflow run it logged to. Stored under {@code stages/<key>/result.json}: the stage cache.
 *
 * @param stage     which stage
 * @param key       the stage cache key ({@link StageKey})
 * @param artifacts named references, e.g. {@code checkpoint}, {@code shards}, {@code report}
 * @param metrics   final metrics (losses at the end of training, evaluation scores)
 * @param runKey    the stage's MLflow run key
 * @param steps     optimisation steps taken (0 for non-training stages)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageResult(StageName stage, String key, Map<String, ArtifactRef> artifacts, Map<String, Double> metrics,
                          String runKey, long steps) {

    public StageResult {
        artifacts = artifacts == null ? Map.of() : new TreeMap<>(artifacts);
        metrics = metrics == null ? Map.of() : new TreeMap<>(metrics);
    }

    public ArtifactRef artifact(String name) {
        ArtifactRef ref = artifacts.get(name);
        if (ref == null) {
            throw new IllegalStateException("stage " + stage.id() + " (" + key + ") has no artifact '" + name + "'; it has "
                    + artifacts.keySet());
        }
        return ref;
    }
}
