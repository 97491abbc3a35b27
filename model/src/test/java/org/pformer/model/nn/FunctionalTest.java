package org.pformer.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;

class FunctionalTest extends ManagedTest {

    

    @Test
    void crossEntropyIgnoresMinus100AndSmoothsLikePyTorch() {
        NDArray logits = manager.create(new float[][] {{0, 0}, {(float) Math.log(3), 0}, {5, -5}});
        NDArray labels = manager.create(new long[] {1, 0, -100});
        double plain = (Math.log(2) + Math.log(4.0 / 3)) / 2;
        assertThat(Functional.crossEntropy(logits, labels, 0).getFloat()).isCloseTo((float) plain, within(1e-6f));
        double row0 = Math.log(2); // uniform row: smoothing changes nothing
        double row1 = 0.9 * -Math.log(0.75) + 0.1 * -(Math.log(0.75) + Math.log(0.25)) / 2;
        assertThat(Functional.crossEntropy(logits, labels, 0.1).getFloat())
                .isCloseTo((float) ((row0 + row1) / 2), within(1e-6f));
    }

    @Test
    void crossEntropyRejectsAllIgnoredAndBadShapes() {
        assertThatThrownBy(() -> Functional.crossEntropy(manager.zeros(new ai.djl.ndarray.types.Shape(2, 3)),
                manager.create(new long[] {-100, -100}), 0)).hasMessageContaining("every label is ignored");
        assertThatThrownBy(() -> Functional.crossEntropy(manager.zeros(new ai.djl.ndarray.types.Shape(2, 3)),
                manager.create(new long[] {0}), 0)).hasMessageContaining("expects logits (N, C) and labels (N)");
    }

    @Test
    void nextTokenLossShiftsByOne() {
        // position 0 predicts token 1 (class 1, certain), position 1 predicts padding (ignored)
        NDArray logits = manager.create(new float[] {-50, 50, 0, 0, 0, 0}, new ai.djl.ndarray.types.Shape(1, 3, 2));
        NDArray labels = Functional.maskedLabels(manager.create(new long[][] {{0, 1, 0}}), manager.create(new long[][] {{1, 1, 0}}));
        assertThat(labels.toLongArray()).containsExactly(0, 1, -100);
        assertThat(Functional.nextTokenLoss(logits, labels).getFloat()).isCloseTo(0f, within(1e-6f));
    }

    @Test
    void scaleKeepsItsOperandAliveUntilBackwardEvenAfterGarbageCollection() {
        NDArray x = manager.create(new float[] {1, 2, 3});
        x.setRequiresGradient(true);
        try (NDManager step = manager.newSubManager();
                GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray y = Functional.scale(x.mul(step.ones(x.getShape())), 3.5).sum();
            for (int i = 0; i < 50; i++) { // churn direct memory and collect: a freed operand would show here
                ByteBuffer.allocateDirect(1 << 16).putFloat(0, Float.NaN);
                System.gc();
            }
            c.backward(y);
        }
        assertThat(x.getGradient().toFloatArray()).containsExactly(3.5f, 3.5f, 3.5f);
    }
}
