package org.pformer.model.io;

import ai.djl.ndarray.types.DataType;

/** Safetensors element types and their DJL counterparts (BF16 has none in DJL's PyTorch engine: see below). */
public enum SafeDType {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    /** Decoded to FLOAT32 in Java: DJL 0.29's PyTorch JNI has no bfloat16 mapping (it aborts the process). */
    BF16(2, DataType.FLOAT32),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int bytes;
    private final DataType djlType;

    SafeDType(int bytes, DataType djlType) {
        this.bytes = bytes;
        this.djlType = djlType;
    }

    public int bytes() {
        return bytes;
    }

    /** The DJL type a tensor of this element type is decoded into. */
    public DataType djlType() {
        return djlType;
    }

    /** The safetensors type for writing a DJL array of {@code type}. */
    public static SafeDType of(DataType type) {
        return switch (type) {
            case FLOAT64 -> F64;
            case FLOAT32 -> F32;
            case FLOAT16 -> F16;
            case INT64 -> I64;
            case INT32 -> I32;
            case INT8 -> I8;
            case UINT8 -> U8;
            case BOOLEAN -> BOOL;
            default -> throw new IllegalArgumentException("no safetensors encoding for DJL type " + type);
        };
    }
}
