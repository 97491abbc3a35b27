package org.pformer.model.foundation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.nn.Functional;
import org.pformer.model.train.Objective;

/**
 * CLIP's symmetric InfoNCE over the batch: logits = exp(logit_scale) · normalize(image) · normalize(text)ᵀ,
 * cross-entropy image→text and text→image, averaged. A text counts as a positive of every image it describes in
 * the batch ({@link GroundTruth}: its own image, and any image with an identical caption; the world's grammar
 * repeats captions, and treating a repeat as a negative would teach the encoders to separate identical meanings):
 * each row's target is uniform over its positives.
 */
public final class ClipObjective implements Objective<ImageTextBatch> {

    /** Name of the loss term in step metrics. */
    public static final String LOSS = "clip";

    private final ClipModel clip;

    public ClipObjective(ClipModel clip) {
        this.clip = clip;
    }

    @Override
    public Map<String, NDArray> losses(ImageTextBatch batch, Context context) {
        NDManager m = context.manager();
        NDArray image = clip.imageFeatures(batch.pixelsArray(m));
        NDArray text = clip.textFeatures(batch.text().idsArray(m), batch.text().maskArray(m));
        return Map.of(LOSS, clipLoss(image, text, clip.logitScale().array(),
                targets(m, batch.imageIds(), batch.captions(), true),
                targets(m, batch.imageIds(), batch.captions(), false)));
    }

    /**
     * The symmetric loss for normalised features (B, D), a scalar logit scale and row-stochastic targets (B, B)
     * for each direction ({@link #targets}).
     */
    public static NDArray clipLoss(NDArray image, NDArray text, NDArray logitScale, NDArray imageToTextTargets,
            NDArray textToImageTargets) {
        NDArray logits = image.matMul(text.transpose()).mul(logitScale.exp());
        NDArray imageToText = softCrossEntropy(logits, imageToTextTargets);
        NDArray textToImage = softCrossEntropy(logits.transpose(), textToImageTargets);
        return Functional.scale(imageToText.add(textToImage), 0.5);
    }

    /** mean over rows of −Σ_j target_ij · log softmax(logits_i)_j. */
    static NDArray softCrossEntropy(NDArray logits, NDArray targets) {
        return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg().mean();
    }

    /**
     * Image→text targets (B, B) when {@code imageToText}, else text→image: row i is uniform over the texts that
     * describe image i (resp. the images that text i describes) in the batch, i itself always among them.
     */
    public static NDArray targets(NDManager manager, List<String> imageIds, List<String> captions,
            boolean imageToText) {
        GroundTruth truth = new GroundTruth(imageIds, captions);
        int n = truth.size();
        float[] t = new float[n * n];
        for (int i = 0; i < n; i++) {
            int count = 0;
            for (int j = 0; j < n; j++) {
                boolean positive = imageToText ? truth.describes(j, imageIds.get(i)) : truth.describes(i, imageIds.get(j));
                if (positive) {
                    t[i * n + j] = 1;
                    count++;
                }
            }
            for (int j = 0; j < n; j++) {
                t[i * n + j] /= count;
            }
        }
        return manager.create(t, new Shape(n, n));
    }

    @Override
    public void beforeStep() {
        clip.clampLogitScale();
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.of("temperature", clip.temperature());
    }
}
