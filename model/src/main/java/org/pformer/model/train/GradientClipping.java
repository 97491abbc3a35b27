package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.pformer.model.nn.Parameter;

/** Global-norm gradient clipping with {@code torch.nn.utils.clip_grad_norm_} semantics. */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales all gradients in place by {@code min(1, maxNorm / (norm + 1e-6))} when {@code maxNorm > 0}.
     *
     * @return the global L2 norm of the gradients before clipping
     */
    public static double clipGlobalNorm(Collection<Parameter> params, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> grads = new ArrayList<>();
            NDArray total = null;
            for (Parameter p : params) {
                NDArray g = p.gradientOrNull();
                if (g == null) {
                    continue;
                }
                grads.add(g);
                NDArray sq = g.square().sum();
                total = total == null ? sq : total.add(sq);
            }
            if (total == null) {
                return 0;
            }
            double norm = Math.sqrt(total.getFloat());
            if (maxNorm > 0) {
                double coef = maxNorm / (norm + 1e-6);
                if (coef < 1) {
                    for (NDArray g : grads) {
                        g.muli((float) coef);
                    }
                }
            }
            return norm;
        }
    }
}
