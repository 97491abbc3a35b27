package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Java data (batches, masks, cached features) into engine-owned tensors, staged through one reusable direct buffer
 * per thread. DJL's {@code NDManager.create(float[])} allocates a fresh, zeroed direct buffer for every call and the
 * tensor aliases it until the garbage collector frees it; for a step's input batch that is a megabyte or more of
 * new native memory every step (page faults, zeroing, memory held until the next GC). Here the data is copied once
 * into the thread's staging buffer and cloned into memory that libtorch owns and reuses; nothing is left for the
 * garbage collector.
 */
public final class HostArrays {

    /** Larger inputs use a one-off buffer instead of growing the retained one. */
    private static final int MAX_RETAINED_BYTES = 64 << 20;
    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

    private HostArrays() {}

    /** A FLOAT32 tensor of {@code shape} whose row-major data is {@code parts} one after another. */
    public static NDArray floats(NDManager manager, Shape shape, float[]... parts) {
        long total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        ByteBuffer buffer = staging(checkSize(shape, total, Float.BYTES));
        for (float[] p : parts) {
            buffer.asFloatBuffer().put(p);
            buffer.position(buffer.position() + p.length * Float.BYTES);
        }
        return engineCopy(manager, buffer, shape, DataType.FLOAT32);
    }

    /** An INT64 tensor (rows, columns) of a rectangular {@code long[rows][columns]}. */
    public static NDArray longs(NDManager manager, long[][] rows) {
        int columns = rows.length == 0 ? 0 : rows[0].length;
        Shape shape = new Shape(rows.length, columns);
        ByteBuffer buffer = staging(checkSize(shape, (long) rows.length * columns, Long.BYTES));
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != columns) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has "
                        + columns + " (the array must be rectangular)");
            }
            buffer.asLongBuffer().put(rows[i]);
            buffer.position(buffer.position() + columns * Long.BYTES);
        }
        return engineCopy(manager, buffer, shape, DataType.INT64);
    }

    private static int checkSize(Shape shape, long elements, int elementBytes) {
        if (shape.size() != elements) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size() + " values, got "
                    + elements);
        }
        long bytes = elements * elementBytes;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes is too large to stage");
        }
        return (int) bytes;
    }

    /** A cleared staging buffer of at least {@code bytes}, native byte order, position 0. */
    private static ByteBuffer staging(int bytes) {
        if (bytes > MAX_RETAINED_BYTES) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer buffer = STAGING.get();
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(Math.max(bytes, 4096)).order(ByteOrder.nativeOrder());
            STAGING.set(buffer);
        }
        buffer.clear();
        return buffer;
    }

    /** Clones the staged bytes into an engine-owned tensor; the alias of the staging buffer is closed at once. */
    private static NDArray engineCopy(NDManager manager, ByteBuffer buffer, Shape shape, DataType type) {
        buffer.flip();
        try (NDArray staged = manager.create(buffer, shape, type)) {
            return staged.duplicate();
        }
    }
}
