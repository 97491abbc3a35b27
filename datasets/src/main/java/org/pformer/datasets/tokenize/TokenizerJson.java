package org.pformer.datasets.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pformer.datasets.io.Json;

/**
 * The HuggingFace {@code tokenizer.json} layout (tokenizers 0.19): pieces to write one, and the token table read
 * back from one. Only what the project needs: vocabulary ids and special tokens; encoding itself is DJL's.
 */
public final class TokenizerJson {

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Map<String, Integer> ids;
    private final Map<String, Boolean> special;
    private final int size;

    private TokenizerJson(Map<String, Integer> ids, Map<String, Boolean> special) {
        this.ids = Collections.unmodifiableMap(ids);
        this.special = Collections.unmodifiableMap(special);
        this.size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    /** Reads the token table of a {@code tokenizer.json} (model vocabulary plus added tokens). */
    public static TokenizerJson read(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = Json.MAPPER.readTree(in);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not a valid tokenizer.json (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.path("model").isObject()) {
            throw new IOException(file + ": not a tokenizer.json (expected an object with a 'model' field)");
        }
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Boolean> special = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.fields().forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
        } else if (vocab.isArray()) {
            // Unigram: a list of [piece, score]; the id is the position.
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).get(0).asText(), i);
            }
        } else {
            throw new IOException(file + ": field model.vocab is missing (expected an object or a list)");
        }
        for (JsonNode t : root.path("added_tokens")) {
            ids.put(t.path("content").asText(), t.path("id").asInt());
            special.put(t.path("content").asText(), t.path("special").asBoolean(false));
        }
        return new TokenizerJson(ids, special);
    }

    /** The id of {@code token}, or -1 when the vocabulary lacks it. */
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    /** Number of ids (largest id + 1), added tokens included. */
    public int size() {
        return size;
    }

    public boolean isSpecial(String token) {
        return special.getOrDefault(token, false);
    }

    // ---- writing ----

    static ObjectNode addedToken(int id, String content) {
        ObjectNode t = F.objectNode();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
        return t;
    }

    /** A {@code TemplateProcessing} post-processor: {@code prefix $A suffix} (and the pair form). */
    static ObjectNode template(List<String> prefix, List<String> suffix, Map<String, Integer> specialIds) {
        ObjectNode p = F.objectNode();
        p.put("type", "TemplateProcessing");
        ArrayNode single = p.putArray("single");
        ArrayNode pair = p.putArray("pair");
        prefix.forEach(s -> { single.add(specialPiece(s, 0)); pair.add(specialPiece(s, 0)); });
        single.add(sequencePiece("A", 0));
        pair.add(sequencePiece("A", 0));
        suffix.forEach(s -> single.add(specialPiece(s, 0)));
        suffix.forEach(s -> pair.add(specialPiece(s, 0)));
        pair.add(sequencePiece("B", 1));
        suffix.forEach(s -> pair.add(specialPiece(s, 1)));
        ObjectNode tokens = p.putObject("special_tokens");
        for (String s : new java.util.TreeSet<>(specialIds.keySet())) {
            ObjectNode t = tokens.putObject(s);
            t.put("id", s);
            t.putArray("ids").add(specialIds.get(s));
            t.putArray("tokens").add(s);
        }
        return p;
    }

    private static ObjectNode specialPiece(String id, int typeId) {
        return piece("SpecialToken", id, typeId);
    }

    private static ObjectNode sequencePiece(String id, int typeId) {
        return piece("Sequence", id, typeId);
    }

    /** A template piece: {@code {"SpecialToken": {"id": "[CLS]", "type_id": 0}}} or a {@code Sequence}. */
    private static ObjectNode piece(String kind, String id, int typeId) {
        ObjectNode n = F.objectNode();
        ObjectNode s = n.putObject(kind);
        s.put("id", id);
        s.put("type_id", typeId);
        return n;
    }

    /** Writes a tokenizer.json deterministically (fixed field order, '\n' line ends), atomically. */
    static void write(Path file, ObjectNode root) throws IOException {
        Json.writePretty(file, root);
    }
}
