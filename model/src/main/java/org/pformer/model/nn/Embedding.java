package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/** A lookup table {@code weight} (num, dim); {@code forward(ids)} gathers rows (gradient flows to the rows). */
public final class Embedding extends Module {

    private final Parameter weight;

    public Embedding(ParameterFactory f, int num, int dim) {
        this.weight = addParameter(f, "weight", new Shape(num, dim), ParameterFactory.NORMAL_002);
    }

    /** Rows for integer ids of any shape; the result has shape ids.shape + (dim). */
    public NDArray forward(NDArray ids) {
        NDArray idx = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        return ai.djl.nn.core.Embedding.embedding(idx, weight.array(), SparseFormat.DENSE).singletonOrThrow();
    }

    public Parameter weight() {
        return weight;
    }

    public long num() {
        return weight.shape().get(0);
    }

    public long dim() {
        return weight.shape().get(1);
    }
}
