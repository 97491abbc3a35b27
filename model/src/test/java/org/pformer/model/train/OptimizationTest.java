package org.pformer.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.Fixtures;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;

/** AdamW against torch.optim.AdamW, decay exemptions, the LR schedule and gradient clipping. */
class OptimizationTest extends ManagedTest {

    

    /** A matrix "w" (decayed) and a vector "b" (exempt), as in the fixture's two parameter groups. */
    static final class TwoParams extends Module {
        final Parameter w;
        final Parameter b;

        TwoParams(ParameterFactory f) {
            w = addParameter(f, "w", new Shape(3, 4), ParameterFactory.ZEROS);
            b = addParameter(f, "b", new Shape(4), ParameterFactory.ZEROS);
        }
    }

    private static void setGradients(TwoParams model, NDArray gw, NDArray gb) {
        model.namedParameters().values().forEach(Parameter::zeroGradient);
        try (GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
            c.backward(model.w.array().mul(gw).sum().add(model.b.array().mul(gb).sum()));
        }
    }

    @Test
    void adamWMatchesPyTorchOverThreeStepsWithDecayOnlyOnTheMatrix() throws Exception {
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("adamw-reference.safetensors"))) {
            TwoParams model = new TwoParams(ParameterFactory.forLoading(manager));
            model.w.replace(ref.load("w_init", manager));
            model.b.replace(ref.load("b_init", manager));
            AdamW adam = new AdamW(model.trainableParameters(), new AdamW.Hyper(0.9, 0.999, 1e-8, 0.05), manager);
            for (int step = 0; step < 3; step++) {
                setGradients(model, ref.load("w_grad_" + step, manager), ref.load("b_grad_" + step, manager));
                adam.step(1e-2);
                assertThat(model.w.array().toFloatArray()).as("w after step %d", step)
                        .containsExactly(ref.load("w_after_" + step, manager).toFloatArray(), within(1e-6f));
                assertThat(model.b.array().toFloatArray()).as("b after step %d", step)
                        .containsExactly(ref.load("b_after_" + step, manager).toFloatArray(), within(1e-6f));
            }
            assertThat(adam.stepCounts()).containsEntry("w", 3L).containsEntry("b", 3L);
            assertThat(adam.lastFusedParameters()).as("both groups updated as one tensor each").isEqualTo(2);
        }
    }

    /** The trajectory fixture's parameters: "w" and "rare" decay, "b" and "temp" do not. */
    static final class FourParams extends Module {
        final Parameter w;
        final Parameter b;
        final Parameter temp;
        final Parameter rare;

        FourParams(ParameterFactory f) {
            w = addParameter(f, "w", new Shape(4, 5), ParameterFactory.ZEROS);
            b = addParameter(f, "b", new Shape(5), ParameterFactory.ZEROS);
            temp = addParameter(f, "temp", new Shape(), ParameterFactory.ZEROS);
            rare = addParameter(f, "rare", new Shape(3, 3), ParameterFactory.ZEROS);
        }
    }

    /** The trajectory's parameters at their initial values. */
    private FourParams fixtureModel(SafeTensors ref) {
        FourParams model = new FourParams(ParameterFactory.forLoading(manager));
        model.namedParameters().forEach((name, p) -> p.replace(load(ref, name + "_init")));
        return model;
    }

    /** The fixture's raw gradients of step {@code t} by parameter name (none for a parameter whose grad was None). */
    private Map<String, NDArray> fixtureGradients(SafeTensors ref, Module model, int t) throws IOException {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (String name : model.namedParameters().keySet()) {
            String key = name + "_grad_" + t;
            if (ref.tensors().containsKey(key)) {
                grads.put(name, ref.load(key, manager));
            }
        }
        return grads;
    }

    /**
     * clip_grad_norm_ then torch.optim.AdamW over 24 steps of a cosine schedule (clipped and unclipped steps, decayed
     * and exempt parameters, a scalar, a parameter without gradient at five steps): the global norm, every
     * parameter after every step, the final moments and the per-parameter step counts agree with PyTorch.
     */
    @Test
    void clippedAdamWFollowsPyTorchsTrajectoryIncludingParametersWithoutGradient() throws Exception {
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("adamw-trajectory.safetensors"))) {
            FourParams model = fixtureModel(ref);
            AdamW adam = new AdamW(model.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
            double[] lrs = new ObjectMapper().readValue(ref.metadata().get("lr"), double[].class);
            double maxNorm = Double.parseDouble(ref.metadata().get("max_norm"));
            int clipped = 0;
            for (int t = 0; t < lrs.length; t++) {
                Map<String, NDArray> grads = fixtureGradients(ref, model, t);
                double norm = GradientClipping.globalNorm(grads.values());
                assertThat(norm).as("norm at step %d", t).isCloseTo(load(ref, "norm_" + t).getFloat(), within(1e-5));
                double coef = GradientClipping.coefficient(norm, maxNorm);
                clipped += coef < 1 ? 1 : 0;
                adam.step(lrs[t], coef, grads);
                for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                    assertThat(e.getValue().array().toFloatArray()).as("%s after step %d", e.getKey(), t)
                            .containsExactly(load(ref, e.getKey() + "_after_" + t).toFloatArray(), within(1e-6f));
                }
            }
            assertThat(clipped).as("steps that clipped").isBetween(8, lrs.length - 8);
            Map<String, NDArray> state = adam.stateTensors();
            for (String name : model.namedParameters().keySet()) {
                assertThat(state.get("exp_avg/" + name).toFloatArray()).as("exp_avg of %s", name)
                        .containsExactly(load(ref, "exp_avg_" + name).toFloatArray(), within(1e-6f));
                assertThat(state.get("exp_avg_sq/" + name).toFloatArray()).as("exp_avg_sq of %s", name)
                        .containsExactly(load(ref, "exp_avg_sq_" + name).toFloatArray(), within(1e-7f));
            }
            // "rare" lost a step, so its group ({w, rare}) is updated one parameter at a time; {b, temp} still fused
            assertThat(adam.lastFusedParameters()).isEqualTo(2);
            int missing = new ObjectMapper().readValue(ref.metadata().get("rare_missing"), int[].class).length;
            assertThat(adam.stepCounts()).containsEntry("w", (long) lrs.length)
                    .containsEntry("rare", (long) (lrs.length - missing));
        }
    }

    /** An optimizer restored from another's state tensors and step counts continues bit for bit as the original. */
    @Test
    void restoredStateContinuesExactlyAsTheUninterruptedOptimizer() throws Exception {
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("adamw-trajectory.safetensors"))) {
            FourParams original = fixtureModel(ref);
            AdamW adam = new AdamW(original.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
            int half = 12;
            for (int t = 0; t < half; t++) {
                adam.step(1e-2, 0.5, fixtureGradients(ref, original, t));
            }
            FourParams resumed = new FourParams(ParameterFactory.forLoading(manager));
            resumed.namedParameters().forEach((name, p) ->
                    p.replace(original.namedParameters().get(name).array().duplicate()));
            AdamW restored = new AdamW(resumed.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
            Map<String, NDArray> saved = new LinkedHashMap<>();
            adam.stateTensors().forEach((k, v) -> saved.put(k, v.duplicate()));
            restored.restore(saved, adam.stepCounts());
            for (int t = half; t < 2 * half; t++) {
                adam.step(1e-2, 0.5, fixtureGradients(ref, original, t));
                restored.step(1e-2, 0.5, fixtureGradients(ref, resumed, t));
            }
            for (String name : original.namedParameters().keySet()) {
                assertThat(resumed.namedParameters().get(name).array().toFloatArray()).as(name)
                        .containsExactly(original.namedParameters().get(name).array().toFloatArray());
            }
            assertThat(restored.stepCounts()).isEqualTo(adam.stepCounts());
        }
    }

    /**
     * A parameter whose array is replaced after the optimizer was built (a checkpoint restore does that) is laid out
     * in its group's buffer again at the next step: the replacement is what gets updated, and the results equal an
     * optimizer whose parameters were never replaced.
     */
    @Test
    void aParameterReplacedAfterConstructionIsUpdatedAndStaysFused() {
        TwoParams plain = new TwoParams(ParameterFactory.forLoading(manager));
        TwoParams replaced = new TwoParams(ParameterFactory.forLoading(manager));
        for (TwoParams m : List.of(plain, replaced)) {
            m.w.array().addi(manager.arange(12f).reshape(3, 4).div(10f));
            m.b.array().addi(1f);
        }
        AdamW a = new AdamW(plain.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
        AdamW b = new AdamW(replaced.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
        NDArray gw = manager.arange(12f).reshape(3, 4).sub(5f);
        NDArray gb = manager.ones(new Shape(4)).mul(-2f);
        for (int step = 0; step < 3; step++) {
            if (step == 1) {
                NDArray fresh = replaced.w.array().duplicate();
                replaced.w.replace(fresh);
                assertThat(replaced.w.array()).isSameAs(fresh);
            }
            setGradients(plain, gw, gb);
            setGradients(replaced, gw, gb);
            a.step(0.05);
            b.step(0.05);
            assertThat(b.lastFusedParameters()).as("step %d", step).isEqualTo(2);
            assertThat(replaced.w.array().toFloatArray()).as("w after step %d", step)
                    .containsExactly(plain.w.array().toFloatArray());
            assertThat(replaced.b.array().toFloatArray()).containsExactly(plain.b.array().toFloatArray());
        }
        assertThat(replaced.w.array().toFloatArray()).as("w moved")
                .isNotEqualTo(manager.arange(12f).reshape(3, 4).div(10f).toFloatArray());
        assertThat(b.stepCounts()).isEqualTo(a.stepCounts());
    }

    /** Parameters of shapes that leave vector tails (odd sizes, a scalar), decayed and exempt. */
    static final class OddShapes extends Module {
        OddShapes(ParameterFactory f) {
            addParameter(f, "a.weight", new Shape(3, 5), ParameterFactory.NORMAL_002);
            addParameter(f, "a.bias", new Shape(7), ParameterFactory.NORMAL_002);
            addParameter(f, "temp", new Shape(), ParameterFactory.ONES);
            addParameter(f, "b.weight", new Shape(2, 3, 11), ParameterFactory.NORMAL_002);
            addParameter(f, "LayerNorm.weight", new Shape(13), ParameterFactory.ONES);
        }
    }

    /**
     * The fused group update computes, element by element, what one update per parameter computes: over ten steps
     * with clipping coefficients and gradients of very different scales, both give the same bits.
     */
    @Test
    void theFusedGroupUpdateGivesTheSameBitsAsOneUpdatePerParameter() {
        OddShapes fused = new OddShapes(ParameterFactory.random(manager, 5));
        OddShapes single = new OddShapes(ParameterFactory.random(manager, 5));
        AdamW all = new AdamW(fused.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
        Map<String, AdamW> each = new LinkedHashMap<>();
        single.trainableParameters().forEach((n, p) -> each.put(n, new AdamW(Map.of(n, p), AdamW.Hyper.DEFAULT, manager)));
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        for (int step = 0; step < 10; step++) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : fused.trainableParameters().entrySet()) {
                float scale = (float) Math.pow(10, random.nextInt(-4, 2));
                grads.put(e.getKey(), manager.randomNormal(0, scale, e.getValue().shape(), ai.djl.ndarray.types.DataType.FLOAT32));
            }
            double coef = step % 3 == 0 ? 0.37 : 1.0;
            all.step(2e-3, coef, grads);
            each.forEach((n, opt) -> opt.step(2e-3, coef, Map.of(n, grads.get(n))));
            assertThat(all.lastFusedParameters()).isEqualTo(5);
        }
        single.trainableParameters().forEach((n, p) -> assertThat(fused.trainableParameters().get(n).array()
                .toFloatArray()).as(n).containsExactly(p.array().toFloatArray()));
    }

    @Test
    void aTensorGivenUnderTwoNamesIsRefused() {
        TwoParams model = new TwoParams(ParameterFactory.forLoading(manager));
        Map<String, Parameter> twice = new LinkedHashMap<>(model.trainableParameters());
        twice.put("tied", model.w);
        assertThatThrownBy(() -> new AdamW(twice, AdamW.Hyper.DEFAULT, manager))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'tied' is the same tensor as 'w'");
    }

    private NDArray load(SafeTensors ref, String key) {
        try {
            return ref.load(key, manager);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void weightDecayExemptsBiasesNormsOneDimensionalAndScalars() {
        ParameterFactory pf = ParameterFactory.forLoading(manager);
        class Probe extends Module {
            final Parameter matrix = addParameter(pf, "weight", new Shape(2, 2), ParameterFactory.ZEROS);
        }
        Parameter matrix = new Probe().matrix;
        assertThat(AdamW.decays("cls_proj.weight", matrix)).isTrue();
        assertThat(AdamW.decays("bert.encoder.layer.0.attention.output.LayerNorm.weight", matrix)).isFalse();
        assertThat(AdamW.decays("model.decoder.layers.0.final_layer_norm.weight", matrix)).isFalse();
        assertThat(AdamW.decays("cls_proj.bias", matrix)).isFalse();
        class Scalars extends Module {
            final Parameter temp = addParameter(pf, "temp", new Shape(), ParameterFactory.ONES);
            final Parameter bias = addParameter(pf, "v", new Shape(3), ParameterFactory.ONES);
        }
        Scalars s = new Scalars();
        assertThat(AdamW.decays("temp", s.temp)).isFalse();
        assertThat(AdamW.decays("v", s.bias)).isFalse();
    }

    /** An activity-pool thread of a worker starts with autograd on (only the engine's loading thread has it off). */
    @Test
    void anUpdateWorksOnAThreadWhereAutogradIsRecordingAndLeavesItSo() {
        TwoParams model = new TwoParams(ParameterFactory.forLoading(manager));
        AdamW adam = new AdamW(model.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
        setGradients(model, manager.ones(new Shape(3, 4)), manager.ones(new Shape(4)));
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            adam.step(0.1);
            assertThat(JniUtils.isGradMode()).as("grad mode restored").isTrue();
        } finally {
            JniUtils.setGradMode(before);
        }
        float[] expected = new float[12];
        java.util.Arrays.fill(expected, -0.1f);
        assertThat(model.w.array().toFloatArray()).containsExactly(expected, within(1e-5f));
    }

    @Test
    void parametersWithoutGradientAreSkippedEntirely() {
        TwoParams model = new TwoParams(ParameterFactory.forLoading(manager));
        model.w.array().addi(1f);
        AdamW adam = new AdamW(model.trainableParameters(), AdamW.Hyper.DEFAULT, manager);
        adam.step(0.1); // no backward yet: nothing moves, not even by weight decay
        assertThat(model.w.array().toFloatArray()).containsOnly(1f);
        assertThat(adam.stepCounts()).containsEntry("w", 0L);
    }

    @Test
    void scheduleWarmsUpLinearlyThenDecaysByCosine() {
        LrSchedule s = LrSchedule.stage0(12_000);
        assertThat(s.lr(0)).isCloseTo(1e-6, within(1e-15));
        assertThat(s.lr(1000)).isCloseTo(1e-6 + (1e-4 - 1e-6) / 2, within(1e-15));
        assertThat(s.lr(2000)).isCloseTo(1e-4, within(1e-15));
        assertThat(s.lr(7000)).isCloseTo((1e-4 + 1e-5) / 2, within(1e-15));
        assertThat(s.lr(12_000)).isCloseTo(1e-5, within(1e-15));
        assertThat(s.lr(50_000)).isCloseTo(1e-5, within(1e-15));
        assertThatThrownBy(() -> new LrSchedule(0, 0, 0, 0, 1)).hasMessageContaining("invalid schedule");
    }

    @Test
    void globalNormClippingScalesAllGradientsTogether() {
        TwoParams model = new TwoParams(ParameterFactory.forLoading(manager));
        setGradients(model, manager.zeros(new Shape(3, 4)).add(manager.create(new float[] {3, 0, 0, 0})),
                manager.create(new float[] {0, 0, 0, 4}));
        // |g|² = 3·9 (three rows of w) + 16 = 43
        double norm = GradientClipping.clipGlobalNorm(List.of(model.w, model.b), 1.0);
        assertThat(norm).isCloseTo(Math.sqrt(43), within(1e-5));
        double after = GradientClipping.clipGlobalNorm(List.of(model.w, model.b), 0);
        assertThat(after).isCloseTo(1.0, within(1e-5));
        try (NDArray gb = model.b.gradientOrNull()) {
            assertThat(gb.toFloatArray()[3]).isCloseTo((float) (4 / Math.sqrt(43)), within(1e-5f));
        }
        // below the threshold nothing changes
        assertThat(GradientClipping.clipGlobalNorm(List.of(model.w, model.b), 10)).isCloseTo(1.0, within(1e-5));
        assertThat(GradientClipping.clipGlobalNorm(List.of(model.w, model.b), 0)).isCloseTo(1.0, within(1e-5));
    }
}
