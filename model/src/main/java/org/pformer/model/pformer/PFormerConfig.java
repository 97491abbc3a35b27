package org.pformer.model.pformer;

import java.util.Objects;
import org.pformer.model.bert.BertConfig;

/**
 * P-Former sizes and loss options (paper Eq. 4–5, METHOD.md stage 0).
 *
 * @param encoder the BERT-style sentence encoder
 * @param numQueries Q, the number of prompt tokens (32)
 * @param llmHiddenSize H_llm, the frozen LLM's input-embedding width (2560 for OPT-2.7b)
 * @param contrastDim width of {@code text_proj} (256)
 * @param contrast which L_contrast
 * @param selfContrastLabelSmoothing label smoothing of the {@code SELF} variant (0.1)
 * @param temperatureInit initial contrastive temperature (0.07)
 * @param temperatureMin lower clamp of the temperature (BLIP-2: 0.001)
 * @param temperatureMax upper clamp of the temperature (BLIP-2: 0.5)
 * @param maskProbability input corruption: probability of replacing an encoder token (except [CLS] and padding)
 *     by [MASK]; 0 = off (default), 0.25 in the reference code
 * @param maskTokenId the encoder's [MASK] id
 */
public record PFormerConfig(
        BertConfig encoder,
        int numQueries,
        int llmHiddenSize,
        int contrastDim,
        ContrastVariant contrast,
        double selfContrastLabelSmoothing,
        double temperatureInit,
        double temperatureMin,
        double temperatureMax,
        double maskProbability,
        int maskTokenId) {

    public PFormerConfig {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(contrast, "contrast");
        if (numQueries <= 0 || llmHiddenSize <= 0 || contrastDim <= 0) {
            throw new IllegalArgumentException("numQueries, llmHiddenSize and contrastDim must be > 0");
        }
        if (!(temperatureMin > 0 && temperatureMin <= temperatureInit && temperatureInit <= temperatureMax)) {
            throw new IllegalArgumentException("need 0 < temperatureMin <= temperatureInit <= temperatureMax");
        }
        if (!(maskProbability >= 0 && maskProbability < 1)) {
            throw new IllegalArgumentException("maskProbability must be in [0, 1), got " + maskProbability);
        }
        if (!(selfContrastLabelSmoothing >= 0 && selfContrastLabelSmoothing < 1)) {
            throw new IllegalArgumentException("selfContrastLabelSmoothing must be in [0, 1)");
        }
        if (maskProbability > 0 && (maskTokenId < 0 || maskTokenId >= encoder.vocabSize())) {
            throw new IllegalArgumentException("maskTokenId " + maskTokenId + " outside the encoder vocabulary");
        }
    }

    /** Paper defaults around a given encoder and LLM width: Q = 32, 256-d contrast, SimCSE, no corruption. */
    public static PFormerConfig defaults(BertConfig encoder, int llmHiddenSize, int maskTokenId) {
        return new PFormerConfig(encoder, 32, llmHiddenSize, 256, ContrastVariant.SIMCSE, 0.1, 0.07, 0.001, 0.5,
                0.0, maskTokenId);
    }

    public PFormerConfig withNumQueries(int q) {
        return new PFormerConfig(encoder, q, llmHiddenSize, contrastDim, contrast, selfContrastLabelSmoothing,
                temperatureInit, temperatureMin, temperatureMax, maskProbability, maskTokenId);
    }

    public PFormerConfig withContrast(ContrastVariant variant) {
        return new PFormerConfig(encoder, numQueries, llmHiddenSize, contrastDim, variant,
                selfContrastLabelSmoothing, temperatureInit, temperatureMin, temperatureMax, maskProbability,
                maskTokenId);
    }

    public PFormerConfig withMaskProbability(double p) {
        return new PFormerConfig(encoder, numQueries, llmHiddenSize, contrastDim, contrast,
                selfContrastLabelSmoothing, temperatureInit, temperatureMin, temperatureMax, p, maskTokenId);
    }
}
