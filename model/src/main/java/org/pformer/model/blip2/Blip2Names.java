package org.pformer.model.blip2;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pformer.model.io.NameMapping;

/**
 * How public checkpoints' tensor names map onto {@link QFormer}, {@link Blip2Stage1} and {@link Blip2Stage2}, whose
 * parameter names follow LAVIS's state dicts ({@code Qformer.bert.*}, {@code query_tokens}, {@code vision_proj},
 * {@code text_proj}, {@code itm_head}, {@code temp}, {@code ln_vision}, {@code Qformer.cls.predictions.*}).
 */
public final class Blip2Names {

    private Blip2Names() {}

    private static final Pattern POSITION_IDS = Pattern.compile(".*position_ids$");
    private static final Pattern VISUAL_ENCODER = Pattern.compile("^visual_encoder\\..*");
    /** The tied LM-head decoder: its weight is the word table and its bias is {@code cls.predictions.bias}. */
    private static final Pattern TIED_DECODER = Pattern.compile("^(Qformer\\.)?cls\\.predictions\\.decoder\\..*");
    private static final Map<String, String> TF_LAYER_NORM = Map.of("LayerNorm.gamma", "LayerNorm.weight",
            "LayerNorm.beta", "LayerNorm.bias");

    /**
     * {@code bert-base-uncased} (BertForPreTraining, or a bare BertModel) into a {@link QFormer}: body and MLM head
     * keep their names; the pooler, token-type table (the Q-Former has none), NSP head and the tied decoder are
     * ignored.
     */
    public static final NameMapping BERT_TO_QFORMER = new NameMapping(
            List.of(Map.entry("bert.", "bert."), Map.entry("embeddings.", "bert.embeddings."),
                    Map.entry("encoder.", "bert.encoder."), Map.entry("pooler.", "bert.pooler.")),
            List.of(Pattern.compile("^bert\\.pooler\\..*"), Pattern.compile(".*token_type_embeddings\\.weight$"),
                    Pattern.compile("^cls\\.seq_relationship\\..*"), TIED_DECODER, POSITION_IDS),
            TF_LAYER_NORM);

    /**
     * A LAVIS {@code Blip2Qformer} (stage-1) checkpoint, converted to safetensors, into {@link Blip2Stage1}: names as
     * they are; the frozen EVA ViT ({@code visual_encoder.*}, loaded separately through
     * {@link org.pformer.model.vit.EvaVitWeights}), the tied decoder and buffers are ignored. LAVIS has no
     * {@code align_proj}: load with it allowed missing.
     */
    public static final NameMapping LAVIS_STAGE1 = new NameMapping(List.of(),
            List.of(VISUAL_ENCODER, TIED_DECODER, POSITION_IDS), Map.of());

    /**
     * The reference code's stage 1 (BLIText {@code Blip2QformerPformer}) into {@link Blip2Stage1}: its alignment
     * projection {@code opt_proj} is our {@code align_proj}; its frozen P-Former ({@code Pformer.*}) and ViT are
     * ignored.
     */
    public static final NameMapping BLITEXT_STAGE1 = new NameMapping(List.of(Map.entry("opt_proj.", "align_proj.")),
            List.of(VISUAL_ENCODER, TIED_DECODER, POSITION_IDS, Pattern.compile("^Pformer\\..*")), Map.of());

    /**
     * A LAVIS {@code Blip2OPT} (stage-2) checkpoint, or BLIText's {@code Blip2PformerOPT}, into {@link Blip2Stage2}:
     * {@code opt_proj} is our {@code llm_proj}; the frozen OPT, ViT and P-Former are ignored.
     */
    public static final NameMapping LAVIS_STAGE2 = new NameMapping(List.of(Map.entry("opt_proj.", "llm_proj.")),
            List.of(VISUAL_ENCODER, POSITION_IDS, Pattern.compile("^opt_model\\..*"), Pattern.compile("^Pformer\\..*")),
            Map.of());

    private static final List<Pattern> STAGE1_ONLY = List.of(VISUAL_ENCODER, POSITION_IDS,
            Pattern.compile("^Qformer\\.cls\\..*"),
            Pattern.compile("^Qformer\\.bert\\.embeddings\\.(word|position)_embeddings\\..*"),
            Pattern.compile("^Qformer\\.bert\\.encoder\\.layer\\.\\d+\\.(intermediate|output)\\..*"),
            Pattern.compile("^(vision_proj|text_proj|itm_head)\\..*"), Pattern.compile("^temp$"));

    /**
     * Stage-1 weights (ours or LAVIS's) into {@link Blip2Stage2}, initialising {@code llm_proj} from stage 1's
     * {@code align_proj} (METHOD.md stage 2, when ω1 > 0): the query path, {@code query_tokens} and {@code ln_vision}
     * carry over; the text path and the stage-1 heads are dropped.
     */
    public static final NameMapping STAGE1_TO_STAGE2 = new NameMapping(
            List.of(Map.entry("align_proj.", "llm_proj.")), STAGE1_ONLY, Map.of());

    /** As {@link #STAGE1_TO_STAGE2} but leaving {@code llm_proj} as initialised (ω1 = 0 or by choice). */
    public static final NameMapping STAGE1_TO_STAGE2_FRESH_PROJECTION = new NameMapping(List.of(),
            concat(STAGE1_ONLY, Pattern.compile("^align_proj\\..*")), Map.of());

    private static List<Pattern> concat(List<Pattern> base, Pattern extra) {
        return java.util.stream.Stream.concat(base.stream(), java.util.stream.Stream.of(extra)).toList();
    }
}
