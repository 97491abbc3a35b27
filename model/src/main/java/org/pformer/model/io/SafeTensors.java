package org.pformer.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader for the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}} plus optional string {@code __metadata__}), then raw
 * little-endian tensor data. F32/F16/F64/integer tensors load as the same DJL type; BF16 is widened to FLOAT32
 * exactly (a bf16 value is the upper half of a float32).
 *
 * <p>The whole header is validated on open: offsets must be in bounds, contiguous and match dtype × shape; every
 * problem names the file and the tensor.
 */
public final class SafeTensors implements TensorSource, AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafeTensors open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw bad(file, "header length " + headerLen + " is invalid for a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            SafeTensors st = parse(file, ch, json, 8 + headerLen, size);
            return st;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static SafeTensors parse(Path file, FileChannel ch, String json, long dataStart, long fileSize)
            throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw bad(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "header must be a JSON object");
        }
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String name = e.getKey();
            JsonNode node = e.getValue();
            if ("__metadata__".equals(name)) {
                node.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            infos.put(name, parseEntry(file, name, node));
        }
        long dataLen = fileSize - dataStart;
        List<TensorInfo> byOffset = new ArrayList<>(infos.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        long expected = 0;
        for (TensorInfo t : byOffset) {
            if (t.begin() != expected) {
                throw bad(file, "tensor '" + t.name() + "' starts at byte " + t.begin() + " but the previous tensor"
                        + " ends at " + expected + " (data must be contiguous)");
            }
            if (t.end() > dataLen) {
                throw bad(file, "tensor '" + t.name() + "' ends at byte " + t.end() + " beyond the data section ("
                        + dataLen + " bytes)");
            }
            expected = t.end();
        }
        return new SafeTensors(file, ch, dataStart, Collections.unmodifiableMap(infos),
                Collections.unmodifiableMap(meta));
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node) throws IOException {
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || offsets == null || !shapeNode.isArray()
                || !offsets.isArray() || offsets.size() != 2) {
            throw bad(file, "tensor '" + name + "' needs dtype, shape and data_offsets [begin, end]");
        }
        SafeDType dtype;
        try {
            dtype = SafeDType.valueOf(dtypeNode.asText());
        } catch (IllegalArgumentException ex) {
            throw bad(file, "tensor '" + name + "' has unsupported dtype '" + dtypeNode.asText() + "'");
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeNode.get(i).asLong(-1);
            if (dims[i] < 0) {
                throw bad(file, "tensor '" + name + "' has a negative or non-integer dimension");
            }
        }
        Shape shape = new Shape(dims);
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        long bytes = shape.size() * dtype.bytes();
        if (begin < 0 || end < begin || end - begin != bytes) {
            throw bad(file, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] but " + dtype
                    + " " + shape + " needs " + bytes + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    public Path file() {
        return file;
    }

    @Override
    public String description() {
        return file.toString();
    }

    @Override
    public Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        tensors.forEach((n, t) -> out.put(n, t.shape()));
        return Collections.unmodifiableMap(out);
    }

    /** Tensor entries by name, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} string map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("safetensors file " + file + " has no tensor '" + name + "'");
        }
        return t;
    }

    /** Loads a tensor into {@code manager} in its natural DJL type ({@link SafeDType#djlType()}). */
    public NDArray load(String name, NDManager manager) throws IOException {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw bad(file, "tensor '" + name + "' is " + t.byteLength() + " bytes; tensors over 2 GiB are not"
                    + " supported by this reader");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) t.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, raw, dataStart + t.begin());
        raw.flip();
        ByteBuffer data = t.dtype() == SafeDType.BF16 ? bf16ToF32(raw) : raw;
        NDArray staged = manager.create(data, t.shape(), t.dtype().djlType());
        // copy into engine-owned memory so the Java buffer can be released
        NDArray owned = staged.duplicate();
        staged.close();
        return owned;
    }

    /** Loads a tensor and converts it to {@code type} (e.g. FLOAT32 weights from an F16 checkpoint). */
    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws IOException {
        NDArray natural = load(name, manager);
        if (natural.getDataType() == type) {
            return natural;
        }
        NDArray converted = natural.toType(type, false);
        natural.close();
        return converted;
    }

    /** Exact widening: the bf16 bits are the upper 16 bits of the float32. */
    static ByteBuffer bf16ToF32(ByteBuffer bf16) {
        int n = bf16.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int bits = (bf16.getShort() & 0xFFFF) << 16;
            out.putInt(bits);
        }
        return out.flip();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static IOException bad(Path file, String message) {
        return new IOException("invalid safetensors file " + file + ": " + message);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
