package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Objects;

/**
 * A learnable tensor owned by a {@link Module}. Its value lives in the long-lived parameter manager; a frozen
 * parameter has {@code requiresGradient == false}, so autograd records nothing for it and the optimizer never
 * sees it.
 */
public final class Parameter {

    private NDArray value;
    private boolean frozen;

    Parameter(NDArray value) {
        this.value = Objects.requireNonNull(value, "value");
        // parameters outlive any per-step scope they may happen to be created in
        NDScope.unregister(value);
        applyGradientFlag();
    }

    /** The current value (do not close it: the parameter owns it). */
    public NDArray array() {
        return value;
    }

    public Shape shape() {
        return value.getShape();
    }

    public DataType dataType() {
        return value.getDataType();
    }

    public boolean isFrozen() {
        return frozen;
    }

    void setFrozen(boolean frozen) {
        this.frozen = frozen;
        applyGradientFlag();
    }

    /**
     * Replaces the value (weight loading, precision casts, checkpoint restore). The replacement must have the
     * same shape; it is taken over (unregistered from any scope, attached to the old value's manager). Pass an
     * engine-owned array (e.g. {@code duplicate()} of one created from Java data).
     */
    public void replace(NDArray replacement) {
        if (!replacement.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException(
                    "shape mismatch: parameter has " + value.getShape() + ", replacement has "
                            + replacement.getShape());
        }
        if (replacement == value) {
            return;
        }
        NDScope.unregister(replacement);
        replacement.attach(value.getManager());
        NDArray old = value;
        value = replacement;
        applyGradientFlag();
        old.close();
    }

    /**
     * The accumulated gradient as a new handle that the caller must close, or {@code null} when backward has not
     * reached this parameter since the last {@link #zeroGradient()} (or it is frozen).
     */
    public NDArray gradientOrNull() {
        if (frozen || !value.hasGradient()) {
            return null;
        }
        return JniUtils.getGradient((PtNDArray) value);
    }

    /** Sets the accumulated gradient to zero in place (PyTorch {@code grad.zero_()}), if there is one. */
    public void zeroGradient() {
        if (!frozen && value.hasGradient()) {
            JniUtils.zeroGrad((PtNDArray) value);
        }
    }

    private void applyGradientFlag() {
        // only floating-point tensors can require gradients; integer buffers never do
        boolean wantsGradient = !frozen && value.getDataType().isFloating();
        value.setRequiresGradient(wantsGradient);
    }
}
