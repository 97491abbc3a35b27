package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code y = x W^T + b} with PyTorch's layout: {@code weight} is (out, in), {@code bias} is (out). */
public final class Linear extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final int inFeatures;
    private final int outFeatures;

    /** A layer initialised as in HF BERT/OPT/ViT: weight Normal(0, 0.02), bias zero. */
    public Linear(ParameterFactory f, int inFeatures, int outFeatures, boolean withBias) {
        this(f, inFeatures, outFeatures, withBias, ParameterFactory.NORMAL_002, ParameterFactory.ZEROS);
    }

    private Linear(ParameterFactory f, int inFeatures, int outFeatures, boolean withBias, ParameterFactory.Init w,
            ParameterFactory.Init b) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = addParameter(f, "weight", new Shape(outFeatures, inFeatures), w);
        this.bias = withBias ? addParameter(f, "bias", new Shape(outFeatures), b) : null;
    }

    /**
     * A layer with PyTorch's default {@code nn.Linear} init (weight and bias Uniform(±1/sqrt(in))), as the
     * P-Former heads that the reference code adds on top of a pretrained BERT.
     */
    public static Linear withTorchDefaultInit(ParameterFactory f, int inFeatures, int outFeatures) {
        ParameterFactory.Init u = new ParameterFactory.Init.Uniform(1 / Math.sqrt(inFeatures));
        return new Linear(f, inFeatures, outFeatures, true, u, u);
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
