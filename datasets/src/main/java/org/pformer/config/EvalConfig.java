package org.pformer.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** Zero-shot evaluation (METHOD.md "Evaluation"). */
public record EvalConfig(@NotNull(message = "missing; expected a value") @Valid Vqa vqa, @NotNull(message = "missing; expected a value") @Valid Caption caption, @NotNull(message = "missing; expected a value") @Valid Retrieval retrieval) {

    /** VQAv2 / OK-VQA / GQA; the prompt's {@code {}} receives the cleaned question. */
    public record Vqa(boolean enabled, @NotNull(message = "missing; expected a value") @Valid Generation generation,
                      @Min(value = 1, message = "expected an integer >= 1") int batchSize) {}

    /** NoCaps (in/near/out-domain) and COCO-Karpathy style captioning, each with its own decoding settings. */
    public record Caption(boolean enabled, @NotNull(message = "missing; expected a value") @Valid Generation nocaps, @NotNull(message = "missing; expected a value") @Valid Generation coco,
                          @Min(value = 1, message = "expected an integer >= 1") int batchSize) {}

    /** ITC for all pairs, then ITM re-ranking of the top {@code k_test}; texts tokenised to {@code max_text_len}. */
    public record Retrieval(boolean enabled,
                            @Min(value = 1, message = "expected an integer >= 1") int kTest,
                            @Min(value = 2, message = "expected an integer >= 2") int maxTextLen,
                            @Min(value = 1, message = "expected an integer >= 1") int batchSize) {}

    /** Beam search settings of the frozen LLM with a soft prompt plus a text prompt. */
    public record Generation(
            @Min(value = 1, message = "expected an integer in [1, 64]")
            @Max(value = 64, message = "expected an integer in [1, 64]") int numBeams,
            @Min(value = 1, message = "expected an integer >= 1") int maxNewTokens,
            @Min(value = 0, message = "expected an integer >= 0") int minNewTokens,
            double lengthPenalty,
            @DecimalMin(value = "1.0", message = "expected a number >= 1.0")
            double repetitionPenalty,
            @NotNull(message = "missing; expected a value") String prompt) {

        @JsonIgnore
    @AssertTrue(message = "expected min_new_tokens <= max_new_tokens")
        public boolean isLengthRangeOrdered() {
            return minNewTokens <= maxNewTokens;
        }
    }
}
