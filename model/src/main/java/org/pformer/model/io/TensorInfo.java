package org.pformer.model.io;

import ai.djl.ndarray.types.Shape;

/** One entry of a safetensors header: element type, shape and byte range relative to the data section. */
public record TensorInfo(String name, SafeDType dtype, Shape shape, long begin, long end) {

    public long byteLength() {
        return end - begin;
    }
}
