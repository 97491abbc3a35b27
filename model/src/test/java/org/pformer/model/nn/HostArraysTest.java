package org.pformer.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;

class HostArraysTest extends ManagedTest {

    @Test
    void floatPartsBecomeOneRowMajorTensor() {
        NDArray x = HostArrays.floats(manager, new Shape(2, 1, 3), new float[] {1, 2, 3}, new float[] {4, 5, 6});
        assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(x.getShape()).isEqualTo(new Shape(2, 1, 3));
        assertThat(x.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void longRowsBecomeAnInt64Matrix() {
        NDArray x = HostArrays.longs(manager, new long[][] {{1, -2, 3}, {Long.MAX_VALUE, 0, 7}});
        assertThat(x.getDataType()).isEqualTo(DataType.INT64);
        assertThat(x.getShape()).isEqualTo(new Shape(2, 3));
        assertThat(x.toLongArray()).containsExactly(1, -2, 3, Long.MAX_VALUE, 0, 7);
    }

    /** The staging buffer is reused by the next call: earlier tensors must own their data. */
    @Test
    void tensorsKeepTheirValuesWhenTheStagingBufferIsReused() {
        NDArray first = HostArrays.floats(manager, new Shape(4), new float[] {1, 2, 3, 4});
        NDArray larger = HostArrays.floats(manager, new Shape(8192), new float[8192]);
        NDArray ids = HostArrays.longs(manager, new long[][] {{9, 9}, {9, 9}});
        assertThat(first.toFloatArray()).containsExactly(1, 2, 3, 4);
        assertThat(larger.sum().getFloat()).isZero();
        assertThat(ids.toLongArray()).containsOnly(9L);
    }

    @Test
    void eachThreadStagesIndependently() throws Exception {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        CompletableFuture<float[]> other = CompletableFuture.supplyAsync(() -> {
            float[] last = null;
            for (int round = 0; round < 50; round++) {
                last = HostArrays.floats(manager, new Shape(1000), values).toFloatArray();
            }
            return last;
        });
        for (int round = 0; round < 50; round++) {
            assertThat(HostArrays.floats(manager, new Shape(2), new float[] {-1, -2}).toFloatArray())
                    .containsExactly(-1, -2);
        }
        assertThat(other.get()).containsExactly(values);
    }

    @Test
    void mismatchedShapesAndRaggedRowsAreRejected() {
        assertThatThrownBy(() -> HostArrays.floats(manager, new Shape(2, 2), new float[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 4 values, got 3");
        assertThatThrownBy(() -> HostArrays.longs(manager, new long[][] {{1, 2}, {3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 values");
    }
}
