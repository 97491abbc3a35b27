package org.pformer.model.pformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.nn.Embedding;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.nn.Precision;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;

/** The three P-Former losses against hand-computed values on tiny tensors. */
class PFormerLossesTest extends ManagedTest {

    

    @Test
    void simcseInfoNceOnOrthogonalViews() {
        NDArray z = manager.create(new float[][] {{1, 0}, {0, 1}});
        float loss = PFormerLosses.contrastiveLoss(z, z, manager.create(1f)).getFloat();
        assertThat(loss).isCloseTo((float) Math.log(1 + Math.exp(-1)), within(1e-6f));
        // lower temperature sharpens: log(1 + e^{-1/0.1})
        float sharp = PFormerLosses.contrastiveLoss(z, z, manager.create(0.1f)).getFloat();
        assertThat(sharp).isCloseTo((float) Math.log(1 + Math.exp(-10)), within(1e-6f));
    }

    @Test
    void selfContrastWithLabelSmoothing() {
        NDArray z = manager.create(new float[][] {{1, 0}, {0, 1}});
        double l = Math.log(1 + Math.exp(-2)); // −log p(own) with logits [2, 0]
        // (1−ε)·l + ε·mean(l, 2 + l) = l + ε
        float loss = PFormerLosses.selfContrastiveLoss(z, manager.create(0.5f), 0.1).getFloat();
        assertThat(loss).isCloseTo((float) (l + 0.1), within(1e-6f));
    }

    @Test
    void selfContrastSendsNoGradientThroughTheTargetSide() {
        NDArray z = manager.create(new float[][] {{0.6f, 0.8f}, {1, 0}});
        z.setRequiresGradient(true);
        NDArray temp = manager.create(1f);
        try (GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
            c.backward(PFormerLosses.selfContrastiveLoss(z, temp, 0));
        }
        // d/dz_i of mean_i CE(z_i · Zᵀ) with Z constant: (softmax_i − onehot_i) · Z / B
        float[] zz = {0.6f, 0.8f, 1, 0};
        float[] expected = new float[4];
        for (int i = 0; i < 2; i++) {
            double s0 = zz[2 * i] * zz[0] + zz[2 * i + 1] * zz[1];
            double s1 = zz[2 * i] * zz[2] + zz[2 * i + 1] * zz[3];
            double p0 = Math.exp(s0) / (Math.exp(s0) + Math.exp(s1));
            double[] coef = {p0 - (i == 0 ? 1 : 0), 1 - p0 - (i == 1 ? 1 : 0)};
            for (int d = 0; d < 2; d++) {
                expected[2 * i + d] = (float) ((coef[0] * zz[d] + coef[1] * zz[2 + d]) / 2);
            }
        }
        assertThat(z.getGradient().toFloatArray()).containsExactly(expected, within(1e-6f));
    }

    @Test
    void vocabLossPullsEachPromptVectorTowardsItsNearestRowWithoutStraightThrough() {
        Embedding table = new Embedding(ParameterFactory.forLoading(manager), 3, 2);
        table.weight().replace(manager.create(new float[][] {{0, 0}, {1, 1}, {-2, 0}}));
        table.freeze();
        try (VocabularyTable vocab = new VocabularyTable(table, manager)) {
            NDArray p = manager.create(new float[] {0.9f, 0.8f, -1.2f, 0.1f}, new Shape(1, 2, 2));
            assertThat(vocab.nearest(p.reshape(2, 2)).toLongArray()).containsExactly(1, 2);
            p.setRequiresGradient(true);
            NDArray loss;
            try (GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
                loss = PFormerLosses.vocabLoss(p, vocab);
                c.backward(loss);
            }
            // diffs (−0.1, −0.2) and (0.8, 0.1): mean of squares over 4 elements
            assertThat(loss.getFloat()).isCloseTo(0.7f / 4, within(1e-6f));
            // gradient 2(x − e)/4 flows to x only (the target row is a constant)
            assertThat(p.getGradient().toFloatArray())
                    .containsExactly(new float[] {-0.05f, -0.1f, 0.4f, 0.05f}, within(1e-6f));
        }
    }

    @Test
    void lmLabelsIgnorePromptAndPadding() {
        NDArray labels = PFormerLosses.lmLabels(manager.create(new long[][] {{2, 7, 8, 1}}),
                manager.create(new long[][] {{1, 1, 1, 0}}), 2);
        assertThat(labels.toLongArray()).containsExactly(-100, -100, 2, 7, 8, -100);
    }

    @Test
    void lmLossThroughAFloat16FrozenDecoderStaysCloseToFloat32() {
        OptConfig c = OptConfig.tiny(40);
        OptForCausalLM full = new OptForCausalLM(ParameterFactory.random(manager, 4), c);
        OptForCausalLM half = new OptForCausalLM(ParameterFactory.random(manager, 4), c);
        full.freeze().eval();
        half.freeze().eval();
        Precision.FP16.apply(half);
        NDArray prompt = manager.randomNormal(0, 0.5f, new Shape(2, 4, 64), DataType.FLOAT32);
        NDArray ids = manager.create(new long[][] {{2, 10, 11, 12, 3}, {2, 20, 21, 1, 1}});
        NDArray mask = manager.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}});
        float f32 = PFormerLosses.lmLoss(full, prompt, ids, mask).getFloat();
        float f16 = PFormerLosses.lmLoss(half, prompt, ids, mask).getFloat();
        assertThat(f32).isCloseTo((float) Math.log(40), within(0.5f));
        assertThat(f16).isCloseTo(f32, within(2e-3f));
    }
}
