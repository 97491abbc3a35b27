package org.pformer.model.nn;

import ai.djl.ndarray.types.DataType;

/**
 * Precision of a FROZEN module (e.g. the LLM on a GPU). Trainable parameters, optimizer state and losses always
 * stay FLOAT32; activations are cast at the boundary into and out of the frozen module.
 */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16(DataType.FLOAT16),
    /**
     * Not available: DJL 0.29's PyTorch JNI maps no DJL type to {@code torch.bfloat16} (its dtype switch has no
     * case for it and aborts the process), so bfloat16 tensors cannot be created through DJL. BF16 checkpoints
     * are still read (widened to FLOAT32 exactly).
     */
    BF16(null);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** Casts a frozen module to this precision. */
    public void apply(Module frozenModule) {
        if (dataType == null) {
            throw new UnsupportedOperationException(
                    "bf16 compute is not supported by DJL 0.29's PyTorch engine (no bfloat16 in its JNI dtype map);"
                            + " use fp16 for the frozen modules on a GPU, or fp32");
        }
        frozenModule.castFrozen(dataType);
    }

    public DataType dataType() {
        return dataType;
    }
}
