package org.pformer.datasets.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pformer.datasets.io.Sha256;

/**
 * A HuggingFace {@code tokenizer.json} loaded offline from a local file through DJL's
 * {@code ai.djl.huggingface:tokenizers} (the Rust library, so encodings equal the Python {@code tokenizers}
 * package's). Never pads; truncates only when built with a maximum length (HF {@code truncation=True,
 * max_length=n} semantics: special tokens count towards the length). Ids are int32. Thread-safe.
 *
 * <p>Encoding goes through DJL's JNI binding and fetches only the ids: DJL's {@code Encoding} would also copy
 * tokens, offsets, word ids and masks out of Rust for every sentence, which halves ingestion throughput.
 */
public final class HfTokenizer implements AutoCloseable {

    static {
        // DJL reports usage to AWS from EC2 hosts unless told not to; the pipeline never phones home.
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private final Path file;
    private final String sha256;
    private final TokenizerJson table;
    private final HuggingFaceTokenizer djl;
    private final int maxLength;

    private HfTokenizer(Path file, String sha256, TokenizerJson table, HuggingFaceTokenizer djl, int maxLength) {
        this.file = file;
        this.sha256 = sha256;
        this.table = table;
        this.djl = djl;
        this.maxLength = maxLength;
    }

    /**
     * Loads {@code tokenizer.json} (or the {@code tokenizer.json} inside a directory).
     *
     * @param maxLength truncate encodings with special tokens to this many ids; 0 disables truncation
     */
    public static HfTokenizer load(Path path, int maxLength) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "tokenizer.json not found");
        }
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
        }
        TokenizerJson table = TokenizerJson.read(file);
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("padding", "false");
        if (maxLength > 0) {
            options.put("truncation", "true");
            options.put("maxLength", String.valueOf(maxLength));
            options.put("modelMaxLength", String.valueOf(maxLength));
        } else {
            options.put("truncation", "false");
        }
        HuggingFaceTokenizer djl;
        try {
            djl = HuggingFaceTokenizer.newInstance(file, options);
        } catch (RuntimeException e) {
            throw new IOException(file + ": the tokenizers library refused it: " + e.getMessage(), e);
        }
        return new HfTokenizer(file, Sha256.of(file), table, djl, maxLength);
    }

    /** Ids of {@code text}, with the special tokens of the post-processor when {@code addSpecialTokens}. */
    public int[] encode(String text, boolean addSpecialTokens) {
        try {
            return idsOf(TokenizersLibrary.LIB.encode(djl.getHandle(), text, addSpecialTokens));
        } finally {
            // DJL's tokenizer frees its native handle when finalised: keep it alive during the native call.
            Reference.reachabilityFence(djl);
        }
    }

    /** Ids of each text, encoded on the calling thread. */
    public int[][] encodeBatch(List<String> texts, boolean addSpecialTokens) {
        return encodeBatch(texts, addSpecialTokens, null);
    }

    /**
     * Ids of each text, encoded one by one on the calling thread; when {@code truncated} is given,
     * {@code truncated[i]} tells whether text i was cut to the maximum length. Callers parallelise across threads:
     * the Rust library's own batch call hands work to its thread pool and waits for it, which stalls badly when the
     * CPUs are contended, for no gain in CPU time per sentence.
     */
    public int[][] encodeBatch(List<String> texts, boolean addSpecialTokens, boolean[] truncated) {
        int[][] ids = new int[texts.size()][];
        try {
            long handle = djl.getHandle();
            for (int i = 0; i < ids.length; i++) {
                long encoding = TokenizersLibrary.LIB.encode(handle, texts.get(i), addSpecialTokens);
                if (truncated != null) {
                    try {
                        truncated[i] = TokenizersLibrary.LIB.getOverflowCount(encoding) > 0;
                    } catch (RuntimeException e) {
                        TokenizersLibrary.LIB.deleteEncoding(encoding);
                        throw e;
                    }
                }
                ids[i] = idsOf(encoding);
            }
        } finally {
            Reference.reachabilityFence(djl);
        }
        return ids;
    }

    private static int[] idsOf(long encoding) {
        try {
            return toInts(TokenizersLibrary.LIB.getTokenIds(encoding));
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        try {
            return djl.decode(longs, skipSpecialTokens);
        } finally {
            Reference.reachabilityFence(djl);
        }
    }

    /** The token table of the file (vocabulary and added tokens). */
    public TokenizerJson table() {
        return table;
    }

    /** SHA-256 of the tokenizer.json bytes: identifies the tokenizer in manifests and cache keys. */
    public String sha256() {
        return sha256;
    }

    public Path file() {
        return file;
    }

    /** The truncation length, 0 when encodings are not truncated. */
    public int maxLength() {
        return maxLength;
    }

    /** The id of a token the tokenizer must have; fails naming the file otherwise. */
    int requireId(String token) {
        int id = table.id(token);
        if (id < 0) {
            throw new IllegalArgumentException(file + ": the vocabulary has no '" + token + "' token");
        }
        return id;
    }

    static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public void close() {
        djl.close();
    }
}
