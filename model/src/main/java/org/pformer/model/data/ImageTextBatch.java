package org.pformer.model.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pformer.model.nn.HostArrays;
import org.pformer.model.train.TokenBatch;

/**
 * A batch of images with their captions: pixels already resized and normalised (CLIP mean/std) in CHW order, the
 * captions tokenised for the BERT-style text side ([CLS] … [SEP]) and for the frozen LLM (BOS … "\n"), and the
 * clean caption text (the key of the P-Former target cache).
 *
 * @param pixels   one row per image, each {@code channels * height * width} floats in CHW order
 * @param text     captions for the Q-Former / text encoder
 * @param llm      captions for the LLM (may be null where a stage does not use the LLM)
 * @param captions clean caption text, one per image
 * @param imageIds identifiers of the images (same id = same image)
 */
public record ImageTextBatch(float[][] pixels, int channels, int height, int width, TokenBatch text, TokenBatch llm,
                             List<String> captions, List<String> imageIds) {

    public ImageTextBatch {
        captions = List.copyOf(captions);
        imageIds = List.copyOf(imageIds);
        int n = pixels.length;
        if (n == 0) {
            throw new IllegalArgumentException("an image-text batch needs at least one example");
        }
        for (int i = 0; i < n; i++) {
            if (pixels[i].length != channels * height * width) {
                throw new IllegalArgumentException("image " + i + " has " + pixels[i].length + " values, expected "
                        + channels + "x" + height + "x" + width);
            }
        }
        if (text.size() != n || (llm != null && llm.size() != n) || captions.size() != n || imageIds.size() != n) {
            throw new IllegalArgumentException("batch parts differ in size: " + n + " images, " + text.size() + " texts, "
                    + (llm == null ? "no" : llm.size()) + " LLM texts, " + captions.size() + " captions, "
                    + imageIds.size() + " image ids");
        }
    }

    public int size() {
        return pixels.length;
    }

    /** The pixels as a (B, C, H, W) float32 array in {@code manager}. */
    public NDArray pixelsArray(NDManager manager) {
        return HostArrays.floats(manager, new Shape(pixels.length, channels, height, width), pixels);
    }
}
