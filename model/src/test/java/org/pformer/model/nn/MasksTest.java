package org.pformer.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;

class MasksTest extends ManagedTest {

    private static final float B = Masks.BLOCKED;

    @Test
    void paddingBlocksPaddedKeys() {
        NDArray mask = Masks.padding(manager.create(new long[][] {{1, 1, 0}, {1, 0, 0}}));
        assertThat(mask.getShape()).isEqualTo(new Shape(2, 1, 1, 3));
        assertThat(mask.toFloatArray()).containsExactly(0, 0, B, 0, B, B);
    }

    @Test
    void causalWithLeftPaddingBlocksFutureAndPaddedKeys() {
        assertThat(Masks.causal(manager, 3).toFloatArray()).containsExactly(0, B, B, 0, 0, B, 0, 0, 0);
        NDArray mask = Masks.causalWithPadding(manager.create(new long[][] {{0, 1, 1}}));
        assertThat(mask.getShape()).isEqualTo(new Shape(1, 1, 3, 3));
        assertThat(mask.toFloatArray()).containsExactly(B, B, B, B, 0, B, B, 0, 0);
    }

    @Test
    void blip2QueryTextMasks() {
        NDArray text = manager.create(new long[][] {{1, 1, 0}}); // 2 queries + 3 text tokens, the last padded
        assertThat(Masks.uniModal(2, text).toFloatArray()).containsExactly(
                0, 0, B, B, B,
                0, 0, B, B, B,
                B, B, 0, 0, B,
                B, B, 0, 0, B,
                B, B, 0, 0, B);
        assertThat(Masks.bidirectional(2, text).toFloatArray()).containsExactly(
                0, 0, 0, 0, B,
                0, 0, 0, 0, B,
                0, 0, 0, 0, B,
                0, 0, 0, 0, B,
                0, 0, 0, 0, B);
        assertThat(Masks.multimodalCausal(2, text).toFloatArray()).containsExactly(
                0, 0, B, B, B,
                0, 0, B, B, B,
                0, 0, 0, B, B,
                0, 0, 0, 0, B,
                0, 0, 0, 0, B);
    }

    @Test
    void fullyMaskedRowsGiveFiniteAttention() {
        NDArray q = manager.randomNormal(new Shape(1, 3, 8));
        NDArray mask = Masks.causalWithPadding(manager.create(new long[][] {{0, 0, 1}}));
        NDArray out = Attention.scaledDotProduct(q, q, q, mask, 2, 0.5, 0, false);
        assertThat(out.isNaN().any().getBoolean()).isFalse();
        assertThat(out.isInfinite().any().getBoolean()).isFalse();
    }
}
