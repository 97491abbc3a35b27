package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.SafeTensorsWriter;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.train.TokenBatch;

/**
 * The P-Former target cache (METHOD.md "Cost note"): the frozen, eval-mode P-Former's prompt depends only on the
 * caption, and everything but the last three small layers is its [CLS] state h. This store keeps h (H floats) per
 * unique caption text; {@link PFormerTargets} applies {@code cls_proj → prompt_pooler → llm_proj} per step.
 *
 * <p>Rows live in fixed-size float blocks (no per-caption objects; millions of captions fit), looked up by exact
 * caption text. The store is serialised to ONE safetensors file ({@code cls.NNNN} F32 chunks of at most 2^28 floats,
 * {@code caption_utf8} U8 and {@code caption_offsets} I64, a {@code fingerprint} that names the P-Former weights and
 * tokenizer it was built with), written atomically with its SHA-256, so an activity can publish it as an artifact.
 */
public final class PFormerTargetCache {

    /** Format tag in the file's metadata. */
    public static final String FORMAT = "pformer-target-cache/1";

    private static final int BLOCK_ROWS = 4096;
    private static final long MAX_CHUNK_FLOATS = 1L << 28;

    private final int hiddenSize;
    private final String fingerprint;
    private final Map<String, Integer> rowOf = new HashMap<>();
    private final List<String> captions = new ArrayList<>();
    private final List<float[]> blocks = new ArrayList<>();

    /**
     * @param hiddenSize H, the P-Former encoder width
     * @param fingerprint identifies what the entries were computed with (e.g. digests of the P-Former checkpoint
     *     and tokenizer); {@link #load} refuses a file with another fingerprint
     */
    public PFormerTargetCache(int hiddenSize, String fingerprint) {
        if (hiddenSize <= 0) {
            throw new IllegalArgumentException("hiddenSize must be > 0, got " + hiddenSize);
        }
        this.hiddenSize = hiddenSize;
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** Number of captions held. */
    public int size() {
        return captions.size();
    }

    public boolean contains(String caption) {
        return rowOf.containsKey(caption);
    }

    /** Copies the [CLS] state of {@code caption} into {@code out} at {@code offset}; false when it is not held. */
    public boolean copyInto(String caption, float[] out, int offset) {
        Integer row = rowOf.get(caption);
        if (row == null) {
            return false;
        }
        System.arraycopy(blocks.get(row / BLOCK_ROWS), (row % BLOCK_ROWS) * hiddenSize, out, offset, hiddenSize);
        return true;
    }

    /** The [CLS] state of {@code caption}, or null. */
    public float[] get(String caption) {
        float[] out = new float[hiddenSize];
        return copyInto(caption, out, 0) ? out : null;
    }

    /** Adds (or keeps) the state of a caption; an existing entry is never replaced. */
    public void put(String caption, float[] cls, int offset) {
        Objects.requireNonNull(caption, "caption");
        if (rowOf.containsKey(caption)) {
            return;
        }
        int row = captions.size();
        if (row / BLOCK_ROWS == blocks.size()) {
            blocks.add(new float[BLOCK_ROWS * hiddenSize]);
        }
        System.arraycopy(cls, offset, blocks.get(row / BLOCK_ROWS), (row % BLOCK_ROWS) * hiddenSize, hiddenSize);
        captions.add(caption);
        rowOf.put(caption, row);
    }

    /**
     * Computes the [CLS] state of every caption of {@code batch} not held yet with the frozen P-Former in eval mode
     * (its encoder reads {@code batch.text()}), and adds it.
     *
     * @return the number of captions added
     */
    public int addMissing(PFormer frozenPformer, ImageTextBatch batch, NDManager manager) {
        List<Integer> rows = new ArrayList<>();
        Map<String, Boolean> pending = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            String caption = batch.captions().get(i);
            if (!contains(caption) && pending.putIfAbsent(caption, Boolean.TRUE) == null) {
                rows.add(i);
            }
        }
        if (rows.isEmpty()) {
            return 0;
        }
        float[] cls = PFormerTargets.clsStates(frozenPformer, subset(batch.text(), rows), manager);
        for (int k = 0; k < rows.size(); k++) {
            put(batch.captions().get(rows.get(k)), cls, k * hiddenSize);
        }
        return rows.size();
    }

    /**
     * Builds a cache over every caption the batches hold (e.g. one epoch of the stage's training source).
     *
     * @param frozenPformer the frozen P-Former whose targets the stage aligns to
     * @param fingerprint see {@link #PFormerTargetCache(int, String)}
     */
    public static PFormerTargetCache build(PFormer frozenPformer, Iterator<ImageTextBatch> batches, String fingerprint,
            NDManager manager) {
        PFormerTargetCache cache = new PFormerTargetCache(frozenPformer.config().encoder().hiddenSize(), fingerprint);
        while (batches.hasNext()) {
            ImageTextBatch batch = batches.next();
            try (NDManager step = manager.newSubManager()) {
                cache.addMissing(frozenPformer, batch, step);
            }
        }
        return cache;
    }

    static TokenBatch subset(TokenBatch tokens, List<Integer> rows) {
        long[][] ids = new long[rows.size()][];
        long[][] mask = new long[rows.size()][];
        for (int k = 0; k < rows.size(); k++) {
            ids[k] = tokens.ids()[rows.get(k)];
            mask[k] = tokens.mask()[rows.get(k)];
        }
        return new TokenBatch(ids, mask);
    }

    /** Writes the cache atomically to one safetensors file; returns its SHA-256. */
    public String save(Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            long rowsPerChunk = Math.max(1, MAX_CHUNK_FLOATS / hiddenSize);
            int chunk = 0;
            for (long start = 0; start < size(); start += rowsPerChunk, chunk++) {
                int rows = (int) Math.min(rowsPerChunk, size() - start);
                float[] data = new float[rows * hiddenSize];
                for (int r = 0; r < rows; r++) {
                    int row = (int) start + r;
                    System.arraycopy(blocks.get(row / BLOCK_ROWS), (row % BLOCK_ROWS) * hiddenSize, data,
                            r * hiddenSize, hiddenSize);
                }
                tensors.put(String.format("cls.%04d", chunk), m.create(data, new Shape(rows, hiddenSize)));
            }
            long[] offsets = new long[size() + 1];
            java.io.ByteArrayOutputStream utf8 = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < size(); i++) {
                byte[] bytes = captions.get(i).getBytes(StandardCharsets.UTF_8);
                utf8.write(bytes, 0, bytes.length);
                offsets[i + 1] = offsets[i] + bytes.length;
            }
            byte[] text = utf8.toByteArray();
            tensors.put("caption_offsets", m.create(offsets));
            tensors.put("caption_utf8", m.create(java.nio.ByteBuffer.wrap(text), new Shape(text.length),
                    DataType.UINT8));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("fingerprint", fingerprint);
            meta.put("hidden_size", Integer.toString(hiddenSize));
            meta.put("captions", Integer.toString(size()));
            meta.put("chunks", Integer.toString(chunk));
            return SafeTensorsWriter.write(file, tensors, meta);
        }
    }

    /**
     * Reads a cache written by {@link #save}.
     *
     * @param expectedFingerprint the fingerprint the caller needs, or null to accept any
     */
    public static PFormerTargetCache load(Path file, String expectedFingerprint) throws IOException {
        try (SafeTensors st = SafeTensors.open(file); NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, String> meta = st.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new IOException(file + " is not a P-Former target cache (format '" + meta.get("format")
                        + "', expected '" + FORMAT + "')");
            }
            String fingerprint = required(meta, "fingerprint", file);
            if (expectedFingerprint != null && !expectedFingerprint.equals(fingerprint)) {
                throw new IOException("P-Former target cache " + file + " was built for '" + fingerprint
                        + "', this stage needs '" + expectedFingerprint + "'");
            }
            int hidden = intMeta(meta, "hidden_size", file);
            int count = intMeta(meta, "captions", file);
            int chunks = intMeta(meta, "chunks", file);
            long[] offsets = st.load("caption_offsets", m).toLongArray();
            byte[] text = st.load("caption_utf8", m).toByteArray();
            if (offsets.length != count + 1 || offsets[count] != text.length) {
                throw new IOException(file + ": caption_offsets (" + offsets.length + " entries, end "
                        + offsets[offsets.length - 1] + ") do not match " + count + " captions of " + text.length
                        + " bytes");
            }
            PFormerTargetCache cache = new PFormerTargetCache(hidden, fingerprint);
            int row = 0;
            for (int c = 0; c < chunks; c++) {
                String name = String.format("cls.%04d", c);
                float[] data = st.load(name, m).toFloatArray();
                if (data.length % hidden != 0) {
                    throw new IOException(file + ": tensor '" + name + "' is not a multiple of " + hidden + " floats");
                }
                for (int r = 0; r < data.length / hidden; r++, row++) {
                    if (row >= count) {
                        throw new IOException(file + " holds more rows than its " + count + " captions");
                    }
                    String caption = new String(text, (int) offsets[row], (int) (offsets[row + 1] - offsets[row]),
                            StandardCharsets.UTF_8);
                    cache.put(caption, data, r * hidden);
                }
            }
            if (row != count || cache.size() != count) {
                throw new IOException(file + " holds " + row + " rows (" + cache.size() + " distinct captions) but"
                        + " declares " + count);
            }
            return cache;
        }
    }

    private static String required(Map<String, String> meta, String key, Path file) throws IOException {
        String v = meta.get(key);
        if (v == null) {
            throw new IOException(file + " lacks metadata '" + key + "'");
        }
        return v;
    }

    private static int intMeta(Map<String, String> meta, String key, Path file) throws IOException {
        try {
            return Integer.parseInt(required(meta, key, file));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": metadata '" + key + "' is not an integer", e);
        }
    }
}
