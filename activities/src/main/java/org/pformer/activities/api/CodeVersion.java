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
            StageName.FOUNDATION, 1,
            StageName.INGEST, 1,
            StageName.PFORMER, 2, // 2: reports the sentence-similarity check
            StageName.STAGE1, 2, // 2: the Q-Former starts from models.text_encoder.weights when given
            StageName.STAGE2, 1,
            StageName.EVAL_VQA, 1,
            StageName.EVAL_CAPTION, 1,
            StageName.EVAL_RETRIEVAL, 1));

    private CodeVersion() {}

    public static String of(StageName stage) {
        return stage.id() + "/" + VERSIONS.get(stage);
    }
}
