package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;

/** A module whose only child is a {@link Linear} named {@code dense} (HF's {@code intermediate}/{@code output} wrappers). */
public final class Dense extends Module {

    private final Linear dense;

    public Dense(ParameterFactory f, int in, int out) {
        dense = addChild("dense", new Linear(f, in, out));
    }

    public NDArray forward(NDArray x) {
        return dense.forward(x);
    }
}
