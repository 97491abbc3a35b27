package org.pformer.model.eval;

import java.util.Objects;
import org.pformer.config.EvalConfig;
import org.pformer.model.generate.GenerationConfig;

/**
 * How the frozen LLM decodes during zero-shot evaluation (METHOD.md "Evaluation"): beam-search settings and the
 * text prompt that follows the soft prompt. For VQA the prompt holds {@code {}}, replaced by the cleaned question.
 *
 * @param numBeams beams per input (1 = greedy)
 * @param maxNewTokens at most this many new tokens (the "\n" end marker included)
 * @param minNewTokens the end marker is forbidden before this many tokens
 * @param lengthPenalty HF's length penalty (the reference code uses −1 for VQA)
 * @param repetitionPenalty 1 = off
 * @param prompt the text prompt; {@code ""} for none
 */
public record DecodingSettings(int numBeams, int maxNewTokens, int minNewTokens, double lengthPenalty,
        double repetitionPenalty, String prompt) {

    /** The placeholder of the question in a VQA prompt. */
    public static final String QUESTION_SLOT = "{}";

    public DecodingSettings {
        Objects.requireNonNull(prompt, "prompt");
        // validates the numbers with the generator's own rules
        new GenerationConfig(numBeams, maxNewTokens, minNewTokens, lengthPenalty, repetitionPenalty, new long[] {0});
    }

    /** VQAv2 / OK-VQA / GQA: {@code Question: {} Short answer:}, beam 5, 1–10 new tokens, length penalty −1. */
    public static DecodingSettings vqa() {
        return new DecodingSettings(5, 10, 1, -1.0, 1.0, "Question: {} Short answer:");
    }

    /** COCO Karpathy captioning: prompt "a photo of", beam 5, 8–30 new tokens. */
    public static DecodingSettings cocoCaption() {
        return new DecodingSettings(5, 30, 8, 1.0, 1.0, "a photo of");
    }

    /** NoCaps captioning: prompt "a photo of", beam 3, 5–20 new tokens. */
    public static DecodingSettings nocaps() {
        return new DecodingSettings(3, 20, 5, 1.0, 1.0, "a photo of");
    }

    /** The settings of the pipeline configuration ({@code eval.vqa.generation}, {@code eval.caption.nocaps}, …). */
    public static DecodingSettings of(EvalConfig.Generation g) {
        return new DecodingSettings(g.numBeams(), g.maxNewTokens(), g.minNewTokens(), g.lengthPenalty(),
                g.repetitionPenalty(), g.prompt());
    }

    /** The generator's settings, stopping at {@code endToken} (BLIP-2 OPT stops at the "\n" token). */
    public GenerationConfig generationConfig(long endToken) {
        return new GenerationConfig(numBeams, maxNewTokens, minNewTokens, lengthPenalty, repetitionPenalty,
                new long[] {endToken});
    }

    /** The VQA prompt for a cleaned question; fails when the prompt has no {@value #QUESTION_SLOT}. */
    public String questionPrompt(String cleanQuestion) {
        if (!prompt.contains(QUESTION_SLOT)) {
            throw new IllegalArgumentException("the VQA prompt '" + prompt + "' has no " + QUESTION_SLOT
                    + " for the question");
        }
        return prompt.replace(QUESTION_SLOT, cleanQuestion);
    }
}
