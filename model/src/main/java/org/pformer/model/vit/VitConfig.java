package org.pformer.model.vit;

/**
 * Sizes of a ViT image encoder (HF {@code ViTConfig} meanings).
 *
 * @param imageSize square input resolution in pixels
 * @param patchSize square patch size (stride of the patch embedding)
 * @param channels input channels
 * @param hiddenSize width
 * @param numLayers Transformer layers
 * @param numHeads attention heads
 * @param intermediateSize feed-forward inner width
 * @param layerNormEps LayerNorm epsilon (1e-12 in HF ViT, 1e-6 in EVA)
 * @param hiddenDropout dropout on sub-layer outputs
 * @param attentionDropout dropout on attention probabilities
 * @param finalLayerNorm whether a final {@code layernorm} follows the last layer (HF ViT: yes; EVA ViT-g as BLIP-2
 *     uses it: no, BLIP-2 adds its own {@code ln_vision})
 */
public record VitConfig(
        int imageSize,
        int patchSize,
        int channels,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        double layerNormEps,
        double hiddenDropout,
        double attentionDropout,
        boolean finalLayerNorm) {

    public VitConfig {
        for (int v : new int[] {imageSize, patchSize, channels, hiddenSize, numLayers, numHeads, intermediateSize}) {
            if (v <= 0) {
                throw new IllegalArgumentException("ViT sizes must be > 0: " + this);
            }
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("imageSize " + imageSize + " not divisible by patchSize " + patchSize);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " not divisible by numHeads " + numHeads);
        }
    }

    /** Number of patch tokens (without [CLS]). */
    public int numPatches() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /**
     * EVA ViT-g/14 as used by BLIP-2 (LAVIS {@code create_eva_vit_g}): 1408 wide, 39 layers (the last of 40 is
     * dropped), 16 heads, FFN 6144, patch 14 at 224 px → 257 tokens, no final norm. Load its weights through
     * {@link EvaVitWeights}.
     */
    public static VitConfig vitG() {
        return new VitConfig(224, 14, 3, 1408, 39, 16, 6144, 1e-6, 0.0, 0.0, false);
    }

    /** A small ViT for CPU tests and the shipped benchmark world (64 px images, 8 px patches → 65 tokens). */
    public static VitConfig tiny() {
        return new VitConfig(64, 8, 3, 64, 2, 4, 128, 1e-6, 0.0, 0.0, true);
    }
}
