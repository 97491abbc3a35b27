package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.SafeTensorsWriter;

/**
 * Training checkpoints: one safetensors file holding the trainable parameters ({@code param/<name>}) and the
 * AdamW state ({@code optim/exp_avg/<name>}, {@code optim/exp_avg_sq/<name>}), with the step, the run seed (the
 * RNG state at a step boundary is a pure function of seed and step), the data cursor and per-parameter optimizer
 * step counts in its metadata. Written atomically; a {@code .sha256} sidecar holds its digest and is verified on
 * read.
 */
public final class Checkpoints {

    static final String FORMAT = "pformer-checkpoint/1";
    static final String PARAM = "param/";
    static final String OPTIM = "optim/";
    static final String STEPS = "optim_steps/";

    /** Everything a checkpoint restores. */
    public record State(long step, long seed, DataCursor cursor, Map<String, NDArray> parameters,
            Map<String, NDArray> optimizerTensors, Map<String, Long> optimizerSteps, Map<String, String> extra) {}

    private Checkpoints() {}

    /** The checkpoint file name for a step ({@code ckpt-00000123.safetensors}). */
    public static String fileName(long step) {
        return String.format("ckpt-%08d.safetensors", step);
    }

    /** Writes the checkpoint and its digest sidecar; returns what was written. */
    public static TrainingListener.CheckpointInfo write(Path file, long step, long seed, DataCursor cursor,
            Map<String, NDArray> parameters, Map<String, NDArray> optimizerTensors, Map<String, Long> optimizerSteps,
            Map<String, String> extra) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        parameters.forEach((n, a) -> tensors.put(PARAM + n, a));
        optimizerTensors.forEach((n, a) -> tensors.put(OPTIM + n, a));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(step));
        meta.put("seed", Long.toString(seed));
        meta.put("data_cursor", cursor.value());
        optimizerSteps.forEach((n, t) -> meta.put(STEPS + n, Long.toString(t)));
        extra.forEach((k, v) -> meta.put("extra/" + k, v));
        String digest = SafeTensorsWriter.write(file, tensors, meta);
        SafeTensorsWriter.writeTextAtomically(sidecar(file), digest + "  " + file.getFileName() + "\n");
        return new TrainingListener.CheckpointInfo(step, file, digest, Files.size(file));
    }

    /** Reads and verifies a checkpoint; tensors are created in {@code manager}. */
    public static State read(Path file, NDManager manager) throws IOException {
        Path side = sidecar(file);
        String expected;
        try {
            expected = Files.readString(side, StandardCharsets.UTF_8).trim().split("\\s+")[0];
        } catch (NoSuchFileException e) {
            throw new IOException("checkpoint " + file + " has no digest sidecar " + side
                    + " (incomplete or foreign checkpoint)", e);
        }
        String actual = SafeTensorsWriter.sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException("checkpoint " + file + " is corrupt: sha256 " + actual + " but " + side
                    + " says " + expected);
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new IOException("checkpoint " + file + " has format '" + meta.get("format") + "', expected '"
                        + FORMAT + "'");
            }
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, NDArray> optim = new LinkedHashMap<>();
            for (String name : st.tensors().keySet()) {
                if (name.startsWith(PARAM)) {
                    params.put(name.substring(PARAM.length()), st.load(name, manager));
                } else if (name.startsWith(OPTIM)) {
                    optim.put(name.substring(OPTIM.length()), st.load(name, manager));
                } else {
                    throw new IOException("checkpoint " + file + " has an unknown tensor '" + name + "'");
                }
            }
            Map<String, Long> steps = new LinkedHashMap<>();
            Map<String, String> extra = new LinkedHashMap<>();
            for (String k : meta.keySet()) {
                if (k.startsWith(STEPS)) {
                    steps.put(k.substring(STEPS.length()), number(meta, k, file));
                } else if (k.startsWith("extra/")) {
                    extra.put(k.substring("extra/".length()), meta.get(k));
                }
            }
            return new State(number(meta, "step", file), number(meta, "seed", file),
                    new DataCursor(required(meta, "data_cursor", file)), params, optim, steps, extra);
        }
    }

    static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    private static long number(Map<String, String> meta, String key, Path file) throws IOException {
        try {
            return Long.parseLong(required(meta, key, file));
        } catch (NumberFormatException e) {
            throw new IOException("checkpoint " + file + ": metadata '" + key + "' is not a number", e);
        }
    }

    private static String required(Map<String, String> meta, String key, Path file) throws IOException {
        String v = meta.get(key);
        if (v == null) {
            throw new IOException("checkpoint " + file + " lacks metadata '" + key + "'");
        }
        return v;
    }
}
