package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.pformer.model.nn.Parameter;

/**
 * AdamW with PyTorch's semantics ({@code torch.optim.AdamW}): decoupled weight decay {@code p -= lr·wd·p},
 * bias-corrected moments, {@code eps} added after the square root. Parameters without a gradient in a step are
 * skipped entirely (as PyTorch skips {@code grad is None}). The state (exp_avg, exp_avg_sq per parameter and the
 * step count) is explicit so checkpoints restore it exactly.
 *
 * <p>Weight decay applies only to parameters that {@link #decays decay}: not biases, not norm weights, not 1-D
 * parameters or scalars (such as the contrastive temperature).
 */
public final class AdamW {

    /** Hyper-parameters (PyTorch defaults except weight decay: 0.05 per METHOD.md). */
    public record Hyper(double beta1, double beta2, double eps, double weightDecay) {
        public static final Hyper DEFAULT = new Hyper(0.9, 0.999, 1e-8, 0.05);

        public Hyper {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0)) {
                throw new IllegalArgumentException("invalid AdamW hyper-parameters: " + this);
            }
        }
    }

    private final Map<String, Parameter> params;
    private final Hyper hyper;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private final Set<String> decayed = new HashSet<>();

    /** {@code adamUpdate}'s element-wise gradient clamp is off for a negative bound (MXNet's convention). */
    private static final float NO_GRADIENT_CLAMP = -1f;

    /**
     * @param params trainable parameters by name (frozen ones are rejected)
     * @param stateManager long-lived manager for the moment buffers
     */
    public AdamW(Map<String, Parameter> params, Hyper hyper, NDManager stateManager) {
        this.params = new LinkedHashMap<>(params);
        this.hyper = hyper;
        this.params.forEach((name, p) -> {
            if (p.isFrozen()) {
                throw new IllegalArgumentException("frozen parameter '" + name + "' given to the optimizer");
            }
            if (p.dataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("trainable parameter '" + name + "' must be FLOAT32");
            }
            expAvg.put(name, persistent(stateManager.zeros(p.shape()), stateManager));
            expAvgSq.put(name, persistent(stateManager.zeros(p.shape()), stateManager));
            steps.put(name, 0L);
            if (decays(name, p)) {
                decayed.add(name);
            }
        });
    }

    private static NDArray persistent(NDArray a, NDManager manager) {
        NDScope.unregister(a);
        a.attach(manager);
        return a;
    }

    /** Whether a parameter gets weight decay: matrices and tensors, but no biases, norms, 1-D or scalars. */
    public static boolean decays(String name, Parameter p) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return p.shape().dimension() >= 2 && !lower.endsWith("bias") && !lower.contains("norm");
    }

    /** One update with learning rate {@code lr} using the parameters' accumulated gradients. */
    public void step(double lr) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            step(lr, 1.0, gradients(params));
        }
    }

    /**
     * One update with learning rate {@code lr}, each gradient multiplied by {@code gradScale} first (the global-norm
     * clipping coefficient, as {@code clip_grad_norm_} leaves it in {@code p.grad}); the gradients themselves are
     * not modified. Parameters absent from {@code gradients} are skipped (PyTorch's {@code grad is None}).
     *
     * <p>Each parameter is one call of libtorch's fused update (DJL's {@code adamUpdate}, autograd off inside),
     * rather than a dozen separate tensor operations: per parameter it computes
     * <pre>
     *   w ← w − lr·wd·w                                      (decoupled decay, wd = 0 for exempt parameters)
     *   m ← β1·m + (1−β1)·s·g,   v ← β2·v + (1−β2)·(s·g)²
     *   w ← w − lr' · m / (√v + eps')
     * </pre>
     * with no bias correction of its own. PyTorch's bias-corrected step
     * {@code w −= lr/bc1 · m / (√v/√bc2 + eps)} is exactly that with {@code lr' = lr·√bc2/bc1} and
     * {@code eps' = eps·√bc2} (multiply numerator and denominator by √bc2), bc_i = 1 − β_i^t. The op takes β as
     * float and forms 1 − β in float; the bias corrections here use the same float β so that step 1 reproduces
     * PyTorch's {@code m/bc1 = g}, {@code v/bc2 = g²}. Results equal torch.optim.AdamW's up to float rounding.
     */
    public void step(double lr, double gradScale, Map<String, NDArray> gradients) {
        float beta1 = (float) hyper.beta1();
        float beta2 = (float) hyper.beta2();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            NDArray g = gradients.get(name);
            if (g == null) {
                continue;
            }
            long t = steps.get(name) + 1;
            steps.put(name, t);
            double bc1 = 1 - Math.pow(beta1, t);
            double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
            float weightDecay = decayed.contains(name) ? (float) hyper.weightDecay() : 0f;
            JniUtils.adamUpdate((PtNDArray) e.getValue().array(), (PtNDArray) g, (PtNDArray) expAvg.get(name),
                    (PtNDArray) expAvgSq.get(name), (float) lr, (float) (lr * bc2Sqrt / bc1), weightDecay,
                    (float) gradScale, NO_GRADIENT_CLAMP, beta1, beta2, (float) (hyper.eps() * bc2Sqrt), true);
        }
    }

    /**
     * The accumulated gradient of every parameter that has one, by name, as new handles registered in the current
     * {@link NDScope} (close it after the step).
     */
    public static Map<String, NDArray> gradients(Map<String, Parameter> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            NDArray g = p.gradientOrNull();
            if (g != null) {
                out.put(name, g);
            }
        });
        return out;
    }

    public Hyper hyper() {
        return hyper;
    }

    /** Optimizer state tensors by key ({@code exp_avg/<name>}, {@code exp_avg_sq/<name>}), for checkpoints. */
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        expAvg.forEach((n, a) -> out.put("exp_avg/" + n, a));
        expAvgSq.forEach((n, a) -> out.put("exp_avg_sq/" + n, a));
        return Collections.unmodifiableMap(out);
    }

    /** Per-parameter step counts (bias correction), for checkpoints. */
    public Map<String, Long> stepCounts() {
        return Collections.unmodifiableMap(steps);
    }

    /** Restores state written by {@link #stateTensors()} / {@link #stepCounts()}; shapes must match. */
    public void restore(Map<String, NDArray> tensors, Map<String, Long> stepCounts) {
        for (String name : params.keySet()) {
            copyInto(expAvg.get(name), tensors.get("exp_avg/" + name), "exp_avg/" + name);
            copyInto(expAvgSq.get(name), tensors.get("exp_avg_sq/" + name), "exp_avg_sq/" + name);
            Long t = stepCounts.get(name);
            if (t == null) {
                throw new IllegalArgumentException("optimizer state has no step count for '" + name + "'");
            }
            steps.put(name, t);
        }
    }

    private static void copyInto(NDArray target, NDArray source, String key) {
        if (source == null) {
            throw new IllegalArgumentException("optimizer state is missing '" + key + "'");
        }
        if (!source.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("optimizer state '" + key + "' has shape " + source.getShape()
                    + ", parameter needs " + target.getShape());
        }
        target.muli(0).addi(source);
    }
}
