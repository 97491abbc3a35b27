package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 *
 * <p>The parameters of each weight-decay group live in one contiguous buffer (the parameters' arrays become views
 * of it, as PyTorch's flat-parameter optimizers and {@code foreach}/multi-tensor updates do), and so do their
 * moments: a step in which every parameter of a group has a gradient and the same step count is one fused update
 * over the whole group instead of one per parameter, which removes about 20 libtorch operator calls per parameter
 * from every step. The element-wise arithmetic is the same, so the results are identical to per-parameter updates;
 * a group with a parameter that has no gradient (or a diverged step count) takes the per-parameter path. A
 * parameter whose array was replaced (weight loading, checkpoint restore) is laid out again at the next step.
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
    private final NDManager stateManager;
    /** Per-parameter views of the groups' flat moment buffers. */
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private final List<Group> groups = new ArrayList<>();
    private int lastFused;

    /**
     * The parameters of one weight-decay value in one flat buffer: {@code values} holds them all, in order, and
     * each parameter's array is a view of it ({@code views}); the moments are flat as well.
     */
    private static final class Group {
        final float weightDecay;
        final List<String> names = new ArrayList<>();
        final List<Parameter> members = new ArrayList<>();
        final NDArray[] views;
        NDArray values;
        NDArray expAvg;
        NDArray expAvgSq;

        Group(float weightDecay, Map<String, Parameter> params) {
            this.weightDecay = weightDecay;
            params.forEach((n, p) -> {
                names.add(n);
                members.add(p);
            });
            this.views = new NDArray[names.size()];
        }
    }

    /** {@code adamUpdate}'s element-wise gradient clamp is off for a negative bound (MXNet's convention). */
    private static final float NO_GRADIENT_CLAMP = -1f;

    /**
     * @param params trainable parameters by name (frozen ones are rejected)
     * @param stateManager long-lived manager for the moment buffers
     */
    public AdamW(Map<String, Parameter> params, Hyper hyper, NDManager stateManager) {
        this.params = new LinkedHashMap<>(params);
        this.hyper = hyper;
        this.stateManager = stateManager;
        Map<String, Parameter> decayed = new LinkedHashMap<>();
        Map<String, Parameter> exempt = new LinkedHashMap<>();
        Map<Parameter, String> seen = new java.util.IdentityHashMap<>();
        this.params.forEach((name, p) -> {
            String other = seen.put(p, name);
            if (other != null) {
                // one tensor under two names would be laid out (and updated) twice
                throw new IllegalArgumentException("parameter '" + name + "' is the same tensor as '" + other
                        + "'; give shared (tied) parameters to the optimizer once");
            }
            if (p.isFrozen()) {
                throw new IllegalArgumentException("frozen parameter '" + name + "' given to the optimizer");
            }
            if (p.dataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("trainable parameter '" + name + "' must be FLOAT32");
            }
            steps.put(name, 0L);
            (decays(name, p) ? decayed : exempt).put(name, p);
        });
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Group g : List.of(new Group((float) hyper.weightDecay(), decayed), new Group(0f, exempt))) {
                if (g.names.isEmpty()) {
                    continue;
                }
                long size = g.members.stream().mapToLong(p -> p.shape().size()).sum();
                g.expAvg = persistent(stateManager.zeros(new Shape(size)), stateManager);
                g.expAvgSq = persistent(stateManager.zeros(new Shape(size)), stateManager);
                List<NDArray> m = views(g.expAvg, g.members);
                List<NDArray> v = views(g.expAvgSq, g.members);
                for (int i = 0; i < g.names.size(); i++) {
                    expAvg.put(g.names.get(i), persistent(m.get(i), stateManager));
                    expAvgSq.put(g.names.get(i), persistent(v.get(i), stateManager));
                }
                layOut(g);
                groups.add(g);
            }
        }
    }

    private static NDArray persistent(NDArray a, NDManager manager) {
        NDScope.unregister(a);
        a.attach(manager);
        return a;
    }

    /** Views of consecutive slices of {@code flat}, shaped as {@code members} (no copy). */
    private static List<NDArray> views(NDArray flat, List<Parameter> members) {
        List<NDArray> out = new ArrayList<>(members.size());
        long offset = 0;
        for (Parameter p : members) {
            long n = p.shape().size();
            PtNDArray slice = JniUtils.slice((PtNDArray) flat, 0, offset, offset + n, 1);
            out.add(JniUtils.reshape(slice, p.shape().getShape()));
            slice.close();
            offset += n;
        }
        return out;
    }

    /**
     * Copies the group's current parameter values into a new flat buffer and makes each parameter a view of it
     * (autograd off: the buffer itself records nothing, the views are leaves that require gradients).
     */
    private void layOut(Group g) {
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray old = g.values;
            g.values = persistent(concatenated(g.members.stream().map(Parameter::array).toList()), stateManager);
            List<NDArray> views = views(g.values, g.members);
            for (int i = 0; i < views.size(); i++) {
                g.members.get(i).replace(views.get(i)); // takes the view over (and closes the old array)
                g.views[i] = views.get(i);
            }
            if (old != null) {
                old.close(); // the views of the previous layout are gone with the arrays they replaced
            }
        }
    }

    /** The arrays flattened and concatenated into one new 1-D tensor, in order (registered in the current scope). */
    private static PtNDArray concatenated(List<NDArray> arrays) {
        PtNDArray[] flat = new PtNDArray[arrays.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = JniUtils.reshape((PtNDArray) arrays.get(i), new long[] {-1});
        }
        return JniUtils.cat(flat, 0);
    }

    /** Whether every parameter of the group still is the view laid out for it (none was replaced since). */
    private static boolean laidOut(Group g) {
        for (int i = 0; i < g.views.length; i++) {
            if (g.members.get(i).array() != g.views[i]) {
                return false;
            }
        }
        return true;
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
     * <p>Each weight-decay group (or, on the per-parameter path, each parameter) is one call of libtorch's fused
     * update (DJL's {@code adamUpdate}, autograd off inside), rather than a dozen separate tensor operations. Element
     * by element it computes
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
        lastFused = 0;
        for (Group g : groups) {
            if (fusable(g, gradients)) {
                fusedStep(g, lr, gradScale, gradients);
                lastFused += g.names.size();
            } else {
                for (int i = 0; i < g.names.size(); i++) {
                    String name = g.names.get(i);
                    NDArray grad = gradients.get(name);
                    if (grad != null) {
                        long t = steps.merge(name, 1L, Long::sum);
                        update(g.members.get(i).array(), grad, expAvg.get(name), expAvgSq.get(name), t,
                                g.weightDecay, lr, gradScale);
                    }
                }
            }
        }
    }

    /** A group updates as one tensor when every member has a gradient and all have taken the same steps. */
    private boolean fusable(Group g, Map<String, NDArray> gradients) {
        long t = steps.get(g.names.get(0));
        for (String name : g.names) {
            if (!gradients.containsKey(name) || steps.get(name) != t) {
                return false;
            }
        }
        return true;
    }

    /** One update of the whole group: its gradients gathered into one flat tensor, then one fused update. */
    private void fusedStep(Group g, double lr, double gradScale, Map<String, NDArray> gradients) {
        if (!laidOut(g)) {
            layOut(g);
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray flatGradient = concatenated(g.names.stream().map(gradients::get).toList());
            long t = steps.get(g.names.get(0)) + 1; // fusable: every member has taken the same steps
            g.names.forEach(n -> steps.put(n, t));
            update(g.values, flatGradient, g.expAvg, g.expAvgSq, t, g.weightDecay, lr, gradScale);
        }
    }

    /** One libtorch adamUpdate of {@code weight} as its {@code t}-th step (see {@link #step(double, double, Map)}). */
    private void update(NDArray weight, NDArray gradient, NDArray m, NDArray v, long t, float weightDecay,
            double lr, double gradScale) {
        float beta1 = (float) hyper.beta1();
        float beta2 = (float) hyper.beta2();
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        JniUtils.adamUpdate((PtNDArray) weight, (PtNDArray) gradient, (PtNDArray) m, (PtNDArray) v, (float) lr,
                (float) (lr * bc2Sqrt / bc1), weightDecay, (float) gradScale, NO_GRADIENT_CLAMP, beta1, beta2,
                (float) (hyper.eps() * bc2Sqrt), true);
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

    /** How many parameters the last step updated through their group's one fused update (the rest one by one). */
    public int lastFusedParameters() {
        return lastFused;
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
