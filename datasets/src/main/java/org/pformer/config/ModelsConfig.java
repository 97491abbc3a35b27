package org.pformer.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * The networks. {@code vision} is the frozen image encoder (EVA ViT-g in the paper), {@code llm} the frozen
 * causal LM (OPT-2.7b), {@code text_encoder} the BERT that initialises the P-Former and the Q-Former.
 */
public record ModelsConfig(
        @NotNull(message = "missing; expected a value") @Valid Backbone vision,
        @NotNull(message = "missing; expected a value") @Valid Backbone llm,
        @NotNull(message = "missing; expected a value") @Valid Backbone textEncoder,
        @NotNull(message = "missing; expected a value") @Valid QFormer qformer) {

    /**
     * A network's size preset and, optionally, its weights (safetensors with HuggingFace names) and its
     * HuggingFace {@code tokenizer.json}. In world mode, missing weights/tokenizers come from the world.
     */
    public record Backbone(@NotNull(message = "missing; expected a value") String preset, String weights, String tokenizer) {}

    /** Q-Former layout (METHOD.md stage 1): Q learned queries, cross-attention every {@code cross_attention_freq} layers. */
    public record QFormer(
            @Min(value = 1, message = "expected an integer in [1, 512]")
            @Max(value = 512, message = "expected an integer in [1, 512]") int numQuery,
            @Min(value = 1, message = "expected an integer >= 1") int crossAttentionFreq,
            @Min(value = 2, message = "expected an integer >= 2") int maxTextLen) {}
}
