package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;

/** Stateless operations shared by the blocks and the losses. */
public final class Functional {

    /** Label value that {@link #crossEntropy} ignores (PyTorch's {@code ignore_index=-100}). */
    public static final long IGNORE_INDEX = -100;

    private Functional() {}

    /** Dropout with PyTorch semantics (scaled by 1/(1-p) in training, identity in eval or when p = 0). */
    public static NDArray dropout(NDArray x, double rate, boolean training) {
        if (!training || rate <= 0) {
            return x;
        }
        return Dropout.dropout(x, (float) rate, true).singletonOrThrow();
    }

    /** Exact (erf) GELU, as BERT's and ViT's {@code "gelu"}. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    public static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /**
     * Mean cross-entropy of {@code logits} (N, C) against integer {@code labels} (N), skipping labels equal to
     * {@link #IGNORE_INDEX}, with optional label smoothing ε as PyTorch's {@code F.cross_entropy}:
     * {@code (1-ε)·NLL + ε·mean_c(-log p_c)}, averaged over non-ignored rows. Computed in FLOAT32.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels, double labelSmoothing) {
        if (logits.getShape().dimension() != 2 || labels.getShape().dimension() != 1
                || logits.getShape().get(0) != labels.getShape().get(0)) {
            throw new IllegalArgumentException(
                    "crossEntropy expects logits (N, C) and labels (N); got " + logits.getShape() + " and "
                            + labels.getShape());
        }
        NDArray logp = logits.toType(DataType.FLOAT32, false).logSoftmax(1);
        NDArray lab = labels.toType(DataType.INT64, false);
        NDArray valid = lab.neq(IGNORE_INDEX);
        NDArray safe = lab.mul(valid.toType(DataType.INT64, false)); // ignored rows point at class 0
        NDArray picked = logp.gather(safe.expandDims(1), 1).squeeze(1);
        NDArray perRow = picked.neg();
        if (labelSmoothing > 0) {
            NDArray smooth = logp.mean(new int[] {1}).neg();
            perRow = perRow.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing));
        }
        NDArray validF = valid.toType(DataType.FLOAT32, false);
        NDArray count = validF.sum();
        if (count.getFloat() == 0f) {
            throw new IllegalArgumentException("crossEntropy: every label is ignored (" + IGNORE_INDEX + ")");
        }
        return perRow.mul(validF).sum().div(count);
    }
}
