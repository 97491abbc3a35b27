package org.pformer.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;

/**
 * Training on a thread the engine never ran on (a worker's activity thread, created after the engine was loaded):
 * PyTorch's grad mode is per thread and starts enabled there, and the optimizer's in-place update of a leaf that
 * requires grad must still not be recorded.
 */
class TrainerThreadTest extends ManagedTest {

    /** y = w·x fitted to a constant target. */
    static final class Scale extends Module {
        final Parameter w;

        Scale(ParameterFactory f) {
            w = addParameter(f, "w", new Shape(2, 2), new ParameterFactory.Init.Constant(0.5));
        }
    }

    @Test
    void trainsOnAFreshThreadAndLeavesItsGradModeOff() throws Exception {
        Scale model = new Scale(ParameterFactory.random(manager, 1));
        Objective<float[]> objective = (batch, context) -> {
            NDArray x = context.manager().create(batch, new Shape(1, 2));
            return Map.of("mse", x.matMul(model.w.array()).sub(1f).square().mean());
        };
        BatchSource<float[]> source = new CountingBatchSource<>() {
            @Override
            public float[] next(int batchSize) {
                advance(1);
                return new float[] {1f, 2f};
            }
        };
        ExecutorService fresh = Executors.newSingleThreadExecutor();
        try {
            List<StepMetrics> log = fresh.submit(() -> {
                try (Trainer<float[]> trainer = new Trainer<>(model, objective, source,
                        new Trainer.Config(1, 1, 1, new LrSchedule(1e-2, 1e-2, 1e-2, 0, 20), AdamW.Hyper.DEFAULT, 1.0),
                        null)) {
                    return trainer.train(20);
                }
            }).get(60, TimeUnit.SECONDS);
            assertThat(log).hasSize(20);
            assertThat(log.get(19).get("loss")).isLessThan(log.get(0).get("loss"));
            assertThat(fresh.submit(ai.djl.pytorch.jni.JniUtils::isGradMode).get()).as("grad mode after training")
                    .isFalse();
        } finally {
            fresh.shutdownNow();
        }
    }
}
