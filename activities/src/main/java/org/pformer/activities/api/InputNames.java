package org.pformer.activities.api;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.config.StageName;

/**
 * Names of the external inputs whose digests the pre-flight returns, and which stage reads which. A stage's cache
 * key covers only the inputs it reads itself; later stages see them through their upstream keys.
 */
public final class InputNames {

    public static final String SENTENCES = "sentences";
    public static final String PAIRS = "pairs";
    public static final String VQAV2 = "vqav2";
    public static final String OKVQA = "okvqa";
    public static final String GQA = "gqa";
    public static final String NOCAPS = "nocaps";
    public static final String COCO_CAPTION = "coco_caption";
    public static final String RETRIEVAL = "retrieval";
    public static final String VISION_WEIGHTS = "weights.vision";
    public static final String LLM_WEIGHTS = "weights.llm";
    public static final String TEXT_ENCODER_WEIGHTS = "weights.text_encoder";
    public static final String LLM_TOKENIZER = "tokenizer.llm";
    public static final String TEXT_ENCODER_TOKENIZER = "tokenizer.text_encoder";

    private static final Map<StageName, List<String>> READS = Map.of(
            StageName.FOUNDATION, List.of(),
            StageName.INGEST, List.of(SENTENCES, LLM_TOKENIZER, TEXT_ENCODER_TOKENIZER),
            StageName.PFORMER, List.of(TEXT_ENCODER_WEIGHTS, LLM_WEIGHTS),
            StageName.STAGE1, List.of(PAIRS, VISION_WEIGHTS, TEXT_ENCODER_WEIGHTS),
            StageName.STAGE2, List.of(PAIRS, LLM_WEIGHTS),
            StageName.EVAL_VQA, List.of(VQAV2, OKVQA, GQA),
            StageName.EVAL_CAPTION, List.of(NOCAPS, COCO_CAPTION),
            StageName.EVAL_RETRIEVAL, List.of(RETRIEVAL));

    private InputNames() {}

    /** The digests among {@code all} that {@code stage} reads itself. */
    public static Map<String, String> readBy(StageName stage, Map<String, String> all) {
        Map<String, String> out = new TreeMap<>();
        for (String name : READS.get(stage)) {
            if (all.containsKey(name)) {
                out.put(name, all.get(name));
            }
        }
        return out;
    }
}
