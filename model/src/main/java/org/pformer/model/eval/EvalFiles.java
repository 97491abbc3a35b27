package org.pformer.model.eval;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;

/** Reading the evaluators' side files and writing their outputs (atomically, stable pretty JSON). */
final class EvalFiles {

    private EvalFiles() {}

    /** Fails naming the file and what it is when it does not exist. */
    static void requireFile(Path file, String what) throws NoSuchFileException {
        if (file == null) {
            throw new IllegalArgumentException(what + " is required but no path was given");
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, what + " not found");
        }
    }

    /**
     * A {@code {"<id>": "<domain>"}} map (the world's {@code domains.json}) that must name every id of
     * {@code ids}; null when {@code file} is null.
     */
    static Map<String, String> readDomains(Path file, Collection<String> ids) throws IOException {
        if (file == null) {
            return null;
        }
        requireFile(file, "domain map");
        Map<String, String> domains;
        try {
            domains = Json.MAPPER.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JacksonException e) {
            throw new MalformedDataException(file.toString(), "expected a JSON object of question/image id to "
                    + "domain name: " + e.getOriginalMessage(), e);
        }
        for (String id : ids) {
            String d = domains.get(id);
            if (d == null || d.isBlank()) {
                throw new MalformedDataException(file.toString(), "no domain for id " + id
                        + " (expected a non-empty domain name under key \"" + id + "\")");
            }
        }
        return domains;
    }

    /** Writes {@code value} as pretty JSON, atomically (a reader never sees half a file). */
    static void write(Path file, Object value) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Json.writePretty(file, value);
    }
}
