package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
     * {@code x · factor} for tensors on an autograd path. DJL's {@code mul(Number)} wraps the number in a scalar
     * tensor backed by a Java direct buffer and closes it at once; autograd saves that tensor for the backward
     * pass, and once the buffer is garbage-collected backward reads freed memory (random NaN/Inf gradients).
     * Here the scalar is an engine-owned tensor ({@code full}: no Java buffer behind it, so autograd's reference
     * keeps it valid), in {@code x}'s manager.
     */
    public static NDArray scale(NDArray x, double factor) {
        return x.mul(x.getManager().full(new Shape(), (float) factor));
    }

    /** Labels from ids and a 0/1 mask: the id where the mask is 1, {@link #IGNORE_INDEX} where it is 0. */
    public static NDArray maskedLabels(NDArray ids, NDArray mask) {
        NDArray keep = mask.toType(DataType.INT64, false);
        return ids.toType(DataType.INT64, false).mul(keep).add(keep.neg().add(1).mul(IGNORE_INDEX));
    }

    /**
     * HF's causal-LM loss: logits (B, L, V) at position i predict labels (B, L) at i+1; mean cross-entropy over
     * labels that are not {@link #IGNORE_INDEX}.
     */
    public static NDArray nextTokenLoss(NDArray logits, NDArray labels) {
        return nextTokenLoss(logits, labels, 0);
    }

    /** {@link #nextTokenLoss(NDArray, NDArray)} with label smoothing ε (BLIP-2's ITG uses 0.1). */
    public static NDArray nextTokenLoss(NDArray logits, NDArray labels, double labelSmoothing) {
        long b = logits.getShape().get(0);
        long len = logits.getShape().get(1);
        long v = logits.getShape().get(2);
        NDArray shiftedLogits = logits.get(new NDIndex(":, :-1, :")).reshape(b * (len - 1), v);
        NDArray shiftedLabels = labels.get(new NDIndex(":, 1:")).reshape(b * (len - 1));
        return crossEntropy(shiftedLogits, shiftedLabels, labelSmoothing);
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
            perRow = scale(perRow, 1 - labelSmoothing).add(scale(smooth, labelSmoothing));
        }
        NDArray validF = valid.toType(DataType.FLOAT32, false);
        NDArray count = validF.sum();
        if (count.getFloat() == 0f) {
            throw new IllegalArgumentException("crossEntropy: every label is ignored (" + IGNORE_INDEX + ")");
        }
        return perRow.mul(validF).sum().div(count);
    }
}
