package org.pformer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The PyTorch engine loads from the Maven-Central natives (offline) and autograd works. */
class EngineSmokeTest {

    @Test
    void pytorchEngineLoadsOfflineFromMavenNatives() {
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        Engine engine = Engine.getEngine("PyTorch");
        assertThat(engine.getEngineName()).isEqualTo("PyTorch");
        assertThat(engine.getVersion()).isEqualTo("2.3.1");
    }

    @Test
    void autogradComputesTheDerivativeOfASquare() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(new float[] {1f, -2f, 3f});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = x.mul(x).sum();
                collector.backward(y);
            }
            assertThat(x.getGradient().toFloatArray()).containsExactly(2f, -4f, 6f);
        }
    }
}
