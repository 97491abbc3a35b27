package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last dimension with affine {@code weight} (ones) and {@code bias} (zeros). */
public final class LayerNorm extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final Shape normalizedShape;
    private final float eps;

    public LayerNorm(ParameterFactory f, int size, double eps) {
        this.normalizedShape = new Shape(size);
        this.eps = (float) eps;
        this.weight = addParameter(f, "weight", normalizedShape, ParameterFactory.ONES);
        this.bias = addParameter(f, "bias", normalizedShape, ParameterFactory.ZEROS);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalizedShape, weight.array(), bias.array(), eps)
                .singletonOrThrow();
    }
}
