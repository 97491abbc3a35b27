package org.pformer.activities.api;

import java.util.EnumMap;
import java.util.Map;
import org.pformer.config.StageName;

/**
 * Version of the code that computes each stage, part of every stage cache key. Bump a stage's number when a change
 * alters its numbers (model code, losses, data order, tokenisation): cached results of the old code are then no
 * longer reused. Changes that keep results identical (logging, orchestration) need no bump.
 */
public final class CodeVersion {

    private static final Map<StageName, Integer> VERSIONS = new EnumMap<>(Map.of(
            StageName.FOUNDATION, 3, // 2: fused AdamW (other rounding); 3: keeps the CLIP text tower (text_encoder)
            StageName.INGEST, 1,
            StageName.PFORMER, 3, // 2: reports the sentence-similarity check; 3: fused AdamW
            StageName.STAGE1, 3, // 2: the Q-Former starts from models.text_encoder.weights when given; 3: fused AdamW
            StageName.STAGE2, 2, // 2: fused AdamW
            StageName.EVAL_VQA, 1,
            StageName.EVAL_CAPTION, 1,
            StageName.EVAL_RETRIEVAL, 1));

    private CodeVersion() {}

    public static String of(StageName stage) {
        return stage.id() + "/" + VERSIONS.get(stage);
    }
}
