package org.pformer.activities.tracking;

import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of an MLflow run, chosen by the pipeline rather than by the server: {@code key} is unique within the
 * experiment and stored as the tag {@value #KEY_TAG}. Any worker, any attempt, resolves the same key to the same run
 * (found by tag, created once), which is what lets a retried activity keep logging into its run.
 *
 * @param experiment MLflow experiment name (one per pipeline configuration)
 * @param key        unique identity, e.g. {@code <workflow id>/stage1}
 * @param name       display name ({@code mlflow.runName})
 * @param parentKey  key of the parent run in the same experiment, or null for a top-level run
 * @param tags       tags set when the run is created
 */
public record RunKey(String experiment, String key, String name, String parentKey, Map<String, String> tags) {

    public static final String KEY_TAG = "pformer.run_key";

    public RunKey {
        if (experiment == null || experiment.isBlank()) {
            throw new IllegalArgumentException("run key: experiment is missing");
        }
        if (key == null || key.isBlank() || key.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("run key: key must be non-empty and contain no quote, got " + key);
        }
        tags = tags == null ? Map.of() : new TreeMap<>(tags);
    }

    /** A child of this run. */
    public RunKey child(String childKey, String childName, Map<String, String> childTags) {
        return new RunKey(experiment, childKey, childName, key, childTags);
    }
}
