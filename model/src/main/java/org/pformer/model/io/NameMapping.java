package org.pformer.model.io;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maps tensor names of a public checkpoint onto a module's parameter names: renames prefixes, renames legacy
 * suffixes and ignores tensors the module deliberately does not have (heads, poolers, buffers, a tied
 * {@code lm_head}).
 *
 * @param prefixRenames (from, to) prefix pairs; the first whose {@code from} starts the name is applied
 * @param ignore file names (after the prefix rename) matching one of these patterns are skipped
 * @param suffixRenames old suffix → new suffix (e.g. BERT's {@code LayerNorm.gamma} → {@code LayerNorm.weight})
 */
public record NameMapping(List<Map.Entry<String, String>> prefixRenames, List<Pattern> ignore,
        Map<String, String> suffixRenames) {

    /** Names used as they are. */
    public static final NameMapping IDENTITY = new NameMapping(List.of(), List.of(), Map.of());

    /**
     * {@code bert-base-uncased} (BertForPreTraining) or a bare BertModel into {@link
     * org.pformer.model.bert.BertModel}: strip {@code bert.}, ignore the MLM/NSP heads, the pooler and the
     * position-id buffers; accept TF-era {@code gamma}/{@code beta}.
     */
    public static final NameMapping BERT = new NameMapping(
            List.of(Map.entry("bert.", "")),
            List.of(Pattern.compile("^cls\\..*"), Pattern.compile("^pooler\\..*"),
                    Pattern.compile(".*position_ids$"), Pattern.compile(".*token_type_ids$")),
            Map.of("LayerNorm.gamma", "LayerNorm.weight", "LayerNorm.beta", "LayerNorm.bias"));

    /**
     * {@code facebook/opt-*} into {@link org.pformer.model.opt.OptForCausalLM}: an OPTModel checkpoint
     * ({@code decoder.*}) gains the {@code model.} prefix; {@code lm_head.weight} is tied to
     * {@code embed_tokens} and ignored.
     */
    public static final NameMapping OPT = new NameMapping(
            List.of(Map.entry("model.", "model."), Map.entry("decoder.", "model.decoder.")),
            List.of(Pattern.compile("^lm_head\\.weight$")),
            Map.of());

    /** HF ViT ({@code ViTModel} or {@code vit.*} of a classifier): ignore pooler and classifier head. */
    public static final NameMapping VIT = new NameMapping(
            List.of(Map.entry("vit.", "")),
            List.of(Pattern.compile("^pooler\\..*"), Pattern.compile("^classifier\\..*")),
            Map.of());

    /**
     * The reference code's P-Former (BLIText {@code PformerOPT} state dict, converted to safetensors) into
     * {@link org.pformer.model.pformer.PFormer}: {@code Pformer.pooler.0} → {@code prompt_pooler},
     * {@code Pformer.opt_proj} → {@code llm_proj}, the BERT body → {@code bert.*}; the frozen OPT and its copied
     * vocabulary buffer are ignored.
     */
    public static final NameMapping BLITEXT_PFORMER = new NameMapping(
            List.of(Map.entry("Pformer.pooler.0.", "prompt_pooler."), Map.entry("Pformer.opt_proj.", "llm_proj."),
                    Map.entry("Pformer.cls_proj.", "cls_proj."), Map.entry("Pformer.text_proj.", "text_proj."),
                    Map.entry("Pformer.temp", "temp"), Map.entry("Pformer.", "bert.")),
            List.of(Pattern.compile("^opt_model\\..*"), Pattern.compile("^opt_vocab_embeddings$"),
                    Pattern.compile(".*position_ids$")),
            Map.of());

    /** The module parameter name for a file tensor name, or empty when the tensor is deliberately ignored. */
    public Optional<String> map(String fileName) {
        String name = fileName;
        for (Map.Entry<String, String> r : prefixRenames) {
            if (name.startsWith(r.getKey())) {
                name = r.getValue() + name.substring(r.getKey().length());
                break;
            }
        }
        for (Pattern p : ignore) {
            if (p.matcher(name).matches()) {
                return Optional.empty();
            }
        }
        for (Map.Entry<String, String> r : suffixRenames.entrySet()) {
            if (name.endsWith(r.getKey())) {
                name = name.substring(0, name.length() - r.getKey().length()) + r.getValue();
                break;
            }
        }
        return Optional.of(name);
    }
}
