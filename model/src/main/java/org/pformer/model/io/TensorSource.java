package org.pformer.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.Map;

/** Named tensors that can be loaded on demand: a safetensors file, or a view of one in another naming layout. */
public interface TensorSource {

    /** Where the tensors come from, for error messages. */
    String description();

    /** Tensor names and shapes, in a stable order. */
    Map<String, Shape> shapes();

    /** Loads one tensor converted to {@code type}. */
    NDArray load(String name, NDManager manager, DataType type) throws IOException;
}
