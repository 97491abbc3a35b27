package org.pformer.datasets.lavis;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pformer.datasets.io.Compression;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;

/**
 * Streams the records of an annotation file (optionally gzip'd): either a top-level JSON list (LAVIS) or a list
 * under a field of a top-level object (the official VQA {@code questions} / {@code annotations}, COCO's
 * {@code images} / {@code annotations}). One record is held at a time, so CC3M-sized lists stream in bounded
 * memory. Every error names the file, the record and the field.
 */
public final class AnnotationFile {

    /** Receives one record. */
    @FunctionalInterface
    public interface RecordHandler {
        void record(Fields record) throws MalformedDataException;
    }

    private AnnotationFile() {}

    /** Calls {@code handler} for each element of the top-level list. */
    public static void forEach(Path file, RecordHandler handler) throws IOException {
        forEach(file, null, handler);
    }

    /**
     * Calls {@code handler} for each element of the list under {@code field} of the top-level object (or of the
     * top-level list when {@code field} is null).
     */
    public static void forEach(Path file, String field, RecordHandler handler) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "annotation file not found");
        }
        String name = file.toString();
        try (InputStream in = Compression.decode(Files.newInputStream(file));
             JsonParser p = Json.MAPPER.getFactory().createParser(in)) {
            JsonToken t = p.nextToken();
            if (field == null) {
                if (t != JsonToken.START_ARRAY) {
                    throw new MalformedDataException(name, "expected a JSON list of records, found " + what(t));
                }
            } else {
                if (t != JsonToken.START_OBJECT) {
                    throw new MalformedDataException(name, "expected a JSON object with a '" + field + "' list, "
                            + "found " + what(t));
                }
                if (!seekField(p, field)) {
                    throw new MalformedDataException(name, "has no '" + field + "' field");
                }
                if (p.currentToken() != JsonToken.START_ARRAY) {
                    throw new MalformedDataException(name, "field '" + field + "' must be a list, found "
                            + what(p.currentToken()));
                }
            }
            String where = field == null ? "record " : field + "[";
            int index = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new MalformedDataException(name, "the list ends without ']' after " + index + " records "
                            + "(truncated file?)");
                }
                JsonNode node = Json.MAPPER.readTree(p);
                String label = field == null ? where + index : where + index + "]";
                if (!node.isObject()) {
                    throw new MalformedDataException(name, label + ": expected an object, found " + node.getNodeType()
                            .toString().toLowerCase(java.util.Locale.ROOT));
                }
                handler.record(new Fields(name, label, node));
                index++;
            }
        } catch (JacksonException e) {
            throw new MalformedDataException(name, "invalid JSON at " + where(e.getLocation()) + ": "
                    + e.getOriginalMessage(), e);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new MalformedDataException(name, "corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
        }
    }

    /** All records of the top-level list (or of {@code field}) mapped by {@code mapper}. */
    public static <T> List<T> readAll(Path file, String field, RecordMapper<T> mapper) throws IOException {
        List<T> out = new ArrayList<>();
        forEach(file, field, r -> out.add(mapper.map(r)));
        return out;
    }

    /** Maps one record. */
    @FunctionalInterface
    public interface RecordMapper<T> {
        T map(Fields record) throws MalformedDataException;
    }

    private static boolean seekField(JsonParser p, String field) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String n = p.currentName();
            p.nextToken();
            if (n.equals(field)) {
                return true;
            }
            p.skipChildren();
        }
        if (t != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t);
        }
        return false;
    }

    private static String what(JsonToken t) {
        if (t == null) {
            return "an empty file";
        }
        return switch (t) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    private static String where(JsonLocation loc) {
        return loc == null ? "an unknown position" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Typed access to one record's fields, with errors that name file, record and field. */
    public static final class Fields {
        private final String file;
        private final String label;
        private final JsonNode node;

        Fields(String file, String label, JsonNode node) {
            this.file = file;
            this.label = label;
            this.node = node;
        }

        public JsonNode node() {
            return node;
        }

        public boolean has(String field) {
            JsonNode v = node.get(field);
            return v != null && !v.isNull();
        }

        public MalformedDataException error(String field, String expected) {
            JsonNode v = node.get(field);
            String found = v == null || v.isNull() ? "it is missing" : "found " + describe(v);
            return new MalformedDataException(file, label + ": field '" + field + "': expected " + expected + ", "
                    + found);
        }

        public String text(String field) throws MalformedDataException {
            JsonNode v = node.get(field);
            if (v == null || !v.isTextual()) {
                throw error(field, "a string");
            }
            return v.asText();
        }

        public String optionalText(String field) throws MalformedDataException {
            return has(field) ? text(field) : null;
        }

        /** A string, or a number written as its decimal text (ids appear both ways in the wild). */
        public String id(String field) throws MalformedDataException {
            JsonNode v = node.get(field);
            if (v != null && (v.isTextual() || v.isIntegralNumber())) {
                return v.asText();
            }
            throw error(field, "a string or an integer id");
        }

        public String optionalId(String field) throws MalformedDataException {
            return has(field) ? id(field) : null;
        }

        public long integer(String field) throws MalformedDataException {
            JsonNode v = node.get(field);
            if (v != null && v.isIntegralNumber() && v.canConvertToLong()) {
                return v.asLong();
            }
            if (v != null && v.isTextual()) {
                try {
                    return Long.parseLong(v.asText().trim());
                } catch (NumberFormatException e) {
                    throw error(field, "an integer");
                }
            }
            throw error(field, "an integer");
        }

        /** A string, or a non-empty list of strings, as a list. */
        public List<String> texts(String field) throws MalformedDataException {
            JsonNode v = node.get(field);
            if (v != null && v.isTextual()) {
                return List.of(v.asText());
            }
            if (v != null && v.isArray() && !v.isEmpty()) {
                List<String> out = new ArrayList<>(v.size());
                for (JsonNode e : v) {
                    if (!e.isTextual()) {
                        throw error(field, "a string or a list of strings");
                    }
                    out.add(e.asText());
                }
                return out;
            }
            throw error(field, "a string or a non-empty list of strings");
        }

        public List<Fields> objects(String field) throws MalformedDataException {
            JsonNode v = node.get(field);
            if (v == null || !v.isArray()) {
                throw error(field, "a list of objects");
            }
            List<Fields> out = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isObject()) {
                    throw error(field, "a list of objects");
                }
                out.add(new Fields(file, label + "." + field + "[" + i + "]", v.get(i)));
            }
            return out;
        }

        private static String describe(JsonNode v) {
            String s = v.toString();
            return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " "
                    + (s.length() > 60 ? s.substring(0, 60) + "…" : s);
        }
    }
}
