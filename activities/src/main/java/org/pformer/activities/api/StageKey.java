package org.pformer.activities.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.config.ConfigHash;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;

/**
 * The stage cache key (ARCHITECTURE.md): sha256 of the stage name, the stage's own configuration section, the keys of
 * the upstream stages it consumes, the digests of its external inputs and the version of the code that computes
 * it. Same key ⇒ same result, which is what lets {@code resume} and the ablation grid reuse finished stages.
 * Pure and deterministic: workflow code calls it.
 */
public final class StageKey {

    private StageKey() {}

    public static String compute(StageName stage, PipelineConfig config, List<String> upstreamKeys,
                                 Map<String, String> inputDigests) {
        Map<String, Object> material = new LinkedHashMap<>();
        material.put("stage", stage.id());
        material.put("config", config.stageConfigHash(stage));
        material.put("upstream", upstreamKeys);
        material.put("inputs", new TreeMap<>(inputDigests));
        material.put("code", CodeVersion.of(stage));
        return ConfigHash.sha256Hex(material);
    }
}
