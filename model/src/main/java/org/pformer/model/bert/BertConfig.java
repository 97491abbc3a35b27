package org.pformer.model.bert;

/**
 * Sizes of a BERT-style bidirectional encoder (HF {@code BertConfig} field meanings).
 *
 * @param vocabSize word-piece vocabulary size
 * @param hiddenSize model width
 * @param numLayers number of Transformer layers
 * @param numHeads attention heads per layer
 * @param intermediateSize feed-forward inner width
 * @param maxPositions learned absolute positions
 * @param typeVocabSize token-type (segment) vocabulary; 0 for none (the Q-Former's BERT has none)
 * @param layerNormEps LayerNorm epsilon (1e-12 in BERT)
 * @param hiddenDropout dropout on embeddings and sub-layer outputs
 * @param attentionDropout dropout on attention probabilities
 * @param crossAttentionEvery insert a cross-attention sub-layer in layers 0, k, 2k, … (0 = never); Q-Former: 2
 * @param encoderWidth width of the cross-attended states (keys/values input width), e.g. 1408 for ViT-g
 * @param queryFeedForward whether layers carry a second FFN ({@code intermediate_query}/{@code output_query})
 *     applied to the leading query positions, as in BLIP-2's Q-Former
 */
public record BertConfig(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps,
        double hiddenDropout,
        double attentionDropout,
        int crossAttentionEvery,
        int encoderWidth,
        boolean queryFeedForward) {

    public BertConfig {
        positive("vocabSize", vocabSize);
        positive("hiddenSize", hiddenSize);
        positive("numLayers", numLayers);
        positive("numHeads", numHeads);
        positive("intermediateSize", intermediateSize);
        positive("maxPositions", maxPositions);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hiddenSize " + hiddenSize + " must be divisible by numHeads " + numHeads);
        }
        if (typeVocabSize < 0 || crossAttentionEvery < 0) {
            throw new IllegalArgumentException("typeVocabSize and crossAttentionEvery must be >= 0");
        }
        if (crossAttentionEvery > 0 && encoderWidth <= 0) {
            throw new IllegalArgumentException("encoderWidth must be > 0 when cross-attention is enabled");
        }
        dropout("hiddenDropout", hiddenDropout);
        dropout("attentionDropout", attentionDropout);
    }

    /** {@code bert-base-uncased}: 12 × 768, 12 heads, FFN 3072, 30522 word pieces, 512 positions. */
    public static BertConfig bertBase() {
        return new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12, 0.1, 0.1, 0, 0, false);
    }

    /** A small encoder for CPU tests and the shipped benchmark world. */
    public static BertConfig tiny(int vocabSize) {
        return new BertConfig(vocabSize, 64, 2, 4, 128, 64, 2, 1e-12, 0.1, 0.1, 0, 0, false);
    }

    /** The same encoder with BLIP-2 Q-Former extras: cross-attention every {@code every} layers, query FFN. */
    public BertConfig withQueryCrossAttention(int every, int encoderWidthForKeys) {
        return new BertConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, 0,
                layerNormEps, hiddenDropout, attentionDropout, every, encoderWidthForKeys, true);
    }

    public BertConfig withVocabSize(int newVocabSize) {
        return new BertConfig(newVocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, hiddenDropout, attentionDropout, crossAttentionEvery, encoderWidth,
                queryFeedForward);
    }

    public boolean hasCrossAttention(int layer) {
        return crossAttentionEvery > 0 && layer % crossAttentionEvery == 0;
    }

    static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    static void dropout(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
        }
    }
}
