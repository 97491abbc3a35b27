package org.pformer.model.opt;

/**
 * Sizes of an OPT-style causal decoder (HF {@code OPTConfig} field meanings).
 *
 * @param vocabSize token vocabulary (50272 for the released OPT checkpoints)
 * @param hiddenSize model width
 * @param numLayers decoder layers
 * @param numHeads attention heads
 * @param ffnDim feed-forward inner width
 * @param maxPositions maximum sequence length; the position table has {@code maxPositions + 2} rows
 * @param wordEmbedProjDim embedding width; when it differs from {@code hiddenSize} (OPT-350m) the decoder has
 *     {@code project_in}/{@code project_out}
 * @param layerNormBefore pre-norm layers and a final LayerNorm (every OPT except 350m)
 * @param dropout dropout on sub-layer outputs
 * @param attentionDropout dropout on attention probabilities
 * @param padTokenId padding token (1)
 * @param bosTokenId beginning-of-sequence token (2, {@code </s>})
 */
public record OptConfig(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int ffnDim,
        int maxPositions,
        int wordEmbedProjDim,
        boolean layerNormBefore,
        double dropout,
        double attentionDropout,
        int padTokenId,
        int bosTokenId) {

    /** OPT's learned positional embedding offset: positions are looked up at index {@code position + 2}. */
    public static final int POSITION_OFFSET = 2;

    public OptConfig {
        for (int v : new int[] {vocabSize, hiddenSize, numLayers, numHeads, ffnDim, maxPositions, wordEmbedProjDim}) {
            if (v <= 0) {
                throw new IllegalArgumentException("OPT sizes must be > 0: " + this);
            }
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hiddenSize " + hiddenSize + " must be divisible by numHeads " + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1) || !(attentionDropout >= 0 && attentionDropout < 1)) {
            throw new IllegalArgumentException("dropout rates must be in [0, 1)");
        }
    }

    /** {@code facebook/opt-2.7b}: 32 × 2560, 32 heads, FFN 10240, vocab 50272, 2048 positions. */
    public static OptConfig opt2_7b() {
        return new OptConfig(50272, 2560, 32, 32, 10240, 2048, 2560, true, 0.1, 0.0, 1, 2);
    }

    /** A small decoder with OPT-2.7b's layout for CPU tests and the shipped benchmark world. */
    public static OptConfig tiny(int vocabSize) {
        return new OptConfig(vocabSize, 64, 2, 4, 128, 128, 64, true, 0.1, 0.0, 1, 2);
    }

    public OptConfig withVocabSize(int newVocabSize) {
        return new OptConfig(newVocabSize, hiddenSize, numLayers, numHeads, ffnDim, maxPositions,
                wordEmbedProjDim, layerNormBefore, dropout, attentionDropout, padTokenId, bosTokenId);
    }
}
