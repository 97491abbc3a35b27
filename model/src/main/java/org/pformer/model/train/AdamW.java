package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pformer.model.nn.NoGrad;
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
        // as torch.optim's step, outside autograd: the updates are in place on leaves that require gradients
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                String name = e.getKey();
                Parameter p = e.getValue();
                NDArray g = p.gradientOrNull();
                if (g == null) {
                    continue;
                }
                long t = steps.get(name) + 1;
                steps.put(name, t);
                NDArray w = p.array();
                if (hyper.weightDecay() > 0 && decays(name, p)) {
                    w.muli((float) (1 - lr * hyper.weightDecay()));
                }
                NDArray m = expAvg.get(name);
                NDArray v = expAvgSq.get(name);
                m.muli((float) hyper.beta1()).addi(g.mul((float) (1 - hyper.beta1())));
                v.muli((float) hyper.beta2()).addi(g.square().mul((float) (1 - hyper.beta2())));
                double bc1 = 1 - Math.pow(hyper.beta1(), t);
                double bc2Sqrt = Math.sqrt(1 - Math.pow(hyper.beta2(), t));
                NDArray denom = v.sqrt().div((float) bc2Sqrt).add((float) hyper.eps());
                w.subi(m.div(denom).mul((float) (lr / bc1)));
            }
        }
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
