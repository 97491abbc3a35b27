package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code y = x W^T + b} with PyTorch's layout: {@code weight} is (out, in), {@code bias} is (out). */
public final class Linear extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final int inFeatures;
    private final int outFeatures;

    public Linear(ParameterFactory f, int inFeatures, int outFeatures, boolean withBias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = addParameter(f, "weight", new Shape(outFeatures, inFeatures), ParameterFactory.NORMAL_002);
        this.bias = withBias ? addParameter(f, "bias", new Shape(outFeatures), ParameterFactory.ZEROS) : null;
    }

    public Linear(ParameterFactory f, int inFeatures, int outFeatures) {
        this(f, inFeatures, outFeatures, true);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.array(), bias == null ? null : bias.array())
                .singletonOrThrow();
    }

    public Parameter weight() {
        return weight;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }
}
