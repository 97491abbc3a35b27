package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.pformer.model.nn.Parameter;

/** Global-norm gradient clipping with {@code torch.nn.utils.clip_grad_norm_} semantics. */
public final class GradientClipping {

    private static final int[] ALL_AXES = {};

    private GradientClipping() {}

    /**
     * Scales all gradients in place by {@link #coefficient coefficient(norm, maxNorm)} when {@code maxNorm > 0}.
     *
     * @return the global L2 norm of the gradients before clipping
     */
    public static double clipGlobalNorm(Collection<Parameter> params, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> grads = params.stream().map(Parameter::gradientOrNull).filter(Objects::nonNull).toList();
            double norm = globalNorm(grads);
            double coef = coefficient(norm, maxNorm);
            if (coef < 1) {
                NDArray factor = grads.get(0).getManager().full(new Shape(), (float) coef);
                for (NDArray g : grads) {
                    g.muli(factor);
                }
            }
            return norm;
        }
    }

    /**
     * The L2 norm of all {@code gradients} taken together (0 when there are none), computed as PyTorch does: the
     * norm of the stacked per-tensor norms, in float32 — one norm per tensor, one stack and one final norm.
     */
    public static double globalNorm(Collection<NDArray> gradients) {
        if (gradients.isEmpty()) {
            return 0;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            PtNDArray[] norms = new PtNDArray[gradients.size()];
            int i = 0;
            for (NDArray g : gradients) {
                norms[i++] = JniUtils.norm((PtNDArray) g, 2, ALL_AXES, false);
            }
            return JniUtils.norm(JniUtils.stack(norms, 0), 2, ALL_AXES, false).getFloat();
        }
    }

    /**
     * The factor {@code clip_grad_norm_} scales the gradients by: {@code min(1, maxNorm / (norm + 1e-6))}, or 1
     * when clipping is off ({@code maxNorm == 0}).
     */
    public static double coefficient(double norm, double maxNorm) {
        return maxNorm > 0 ? Math.min(1.0, maxNorm / (norm + 1e-6)) : 1.0;
    }
}
