package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Creates parameter values, either randomly initialised (deterministically, from a Java generator seeded once,
 * independent of the engine's RNG) or as zero placeholders that a {@code WeightLoader} will fill.
 */
public final class ParameterFactory {

    /** How a parameter starts out when the factory initialises randomly. */
    public sealed interface Init {
        /** Normal(0, std): linear and embedding weights (BERT/OPT/ViT use std 0.02). */
        record Normal(double std) implements Init {}

        /** Uniform(−bound, bound): PyTorch's default {@code nn.Linear} init uses bound 1/sqrt(fan_in). */
        record Uniform(double bound) implements Init {}

        /** A constant: zeros for biases, ones for LayerNorm weights, 0.07 for the contrastive temperature. */
        record Constant(double value) implements Init {}
    }

    public static final Init ZEROS = new Init.Constant(0);
    public static final Init ONES = new Init.Constant(1);
    public static final Init NORMAL_002 = new Init.Normal(0.02);

    private final NDManager manager;
    private final SplittableRandom random;

    private ParameterFactory(NDManager manager, SplittableRandom random) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.random = random;
    }

    /** Random initialisation from {@code seed}: the same seed and construction order give identical values. */
    public static ParameterFactory random(NDManager manager, long seed) {
        return new ParameterFactory(manager, new SplittableRandom(seed));
    }

    /**
     * Zero placeholders (cheap for multi-billion-parameter frozen models whose weights are loaded right after);
     * constants such as LayerNorm ones are still applied so an un-loaded module is at least well defined.
     */
    public static ParameterFactory forLoading(NDManager manager) {
        return new ParameterFactory(manager, null);
    }

    public NDManager manager() {
        return manager;
    }

    Parameter create(Shape shape, Init init) {
        NDArray value;
        if (init instanceof Init.Constant c) {
            value = manager.full(shape, (float) c.value(), DataType.FLOAT32);
        } else if (random != null) {
            long size = shape.size();
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("parameter too large for random init: " + shape);
            }
            float[] data = new float[(int) size];
            for (int i = 0; i < data.length; i++) {
                data[i] = init instanceof Init.Normal n
                        ? (float) (random.nextGaussian() * n.std())
                        : (float) ((random.nextDouble() * 2 - 1) * ((Init.Uniform) init).bound());
            }
            // engine-owned copy: an array made from a Java buffer would alias memory that DJL frees with the
            // Java object
            NDArray staged = manager.create(data, shape);
            value = staged.duplicate();
            staged.close();
        } else {
            value = manager.zeros(shape, DataType.FLOAT32);
        }
        return new Parameter(value);
    }
}
