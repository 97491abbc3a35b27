package org.pformer.datasets.text;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.pformer.datasets.io.Compression;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.io.TextSource;

/**
 * The candidate sentences ("items") of one input file, in file order. The format comes from the name without
 * {@code .gz}; compression from the magic bytes:
 * <ul>
 *   <li>{@code .txt}: one sentence per line ({@code \n} or {@code \r\n}); a blank line is an (empty) item;</li>
 *   <li>{@code .jsonl} / {@code .ndjson}: one JSON object per line, text in the first present text field;</li>
 *   <li>{@code .json}: a LAVIS annotation list {@code [{"image": …, "caption": …}, …]}, read as a stream.</li>
 * </ul>
 * A record whose text field holds a list (Karpathy val/test, Flickr30K) yields one item per element. Malformed
 * records become malformed items (skipped and counted by the caller); a file that cannot be parsed at all — a
 * binary file, a JSON file that is not a list, a syntax error that leaves the rest unreadable, a corrupt gzip
 * stream — raises {@link MalformedDataException} naming it. Memory is bounded by {@code maxLineChars}.
 */
final class SentenceItems implements Closeable {

    /** One item: a raw sentence, or the reason a record was skipped and an excerpt of it. */
    record Item(String text, String problem, String excerpt) {
        static Item text(String t) {
            return new Item(t, null, null);
        }

        static Item problem(String reason, String excerpt) {
            return new Item(null, reason, excerpt);
        }

        boolean ok() {
            return problem == null;
        }
    }

    /** Drop reasons of records that are not text. */
    static final String INVALID_JSON = "invalid_json";
    static final String NOT_AN_OBJECT = "not_an_object";
    static final String MISSING_TEXT_FIELD = "missing_text_field";
    static final String NOT_TEXT = "not_text";
    static final String INVALID_UTF8 = "invalid_utf8";
    /** Not malformed: a length filter on raw records. */
    static final String TOO_LONG = "too_long";

    private static final int EXCERPT = 200;

    private enum Format { TEXT, JSON_LINES, JSON_LIST }

    private final String name;
    private final InputStream in;
    private final Format format;
    private final List<String> fields;
    private final int maxChars;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ArrayDeque<Item> pending = new ArrayDeque<>();
    private final LineBuffer line = new LineBuffer();
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private JsonParser parser;
    private boolean firstLine = true;
    private boolean eof;
    private int record;

    private SentenceItems(String name, InputStream in, Format format, List<String> fields, int maxChars) {
        this.name = name;
        this.in = in;
        this.format = format;
        this.fields = fields;
        this.maxChars = maxChars;
    }

    static SentenceItems open(TextSource source, List<String> textFields, int maxLineChars) throws IOException {
        Format format = formatOf(source.name());
        InputStream in = Compression.openDecoded(source);
        SentenceItems items = new SentenceItems(source.name(), in, format, textFields, maxLineChars);
        if (format == Format.JSON_LIST) {
            try {
                items.startList();
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }
        return items;
    }

    private static Format formatOf(String name) throws MalformedDataException {
        String base = Compression.stripGzSuffix(name).toLowerCase(java.util.Locale.ROOT);
        if (base.endsWith(".txt")) {
            return Format.TEXT;
        } else if (base.endsWith(".jsonl") || base.endsWith(".ndjson")) {
            return Format.JSON_LINES;
        } else if (base.endsWith(".json")) {
            return Format.JSON_LIST;
        }
        throw new MalformedDataException(name, "cannot tell the format from the name: expected .txt (one sentence "
                + "per line), .jsonl (one JSON object per line) or .json (a LAVIS annotation list), optionally .gz");
    }

    private void startList() throws IOException {
        try {
            parser = Json.MAPPER.getFactory().createParser(in);
            JsonToken t = parser.nextToken();
            if (t != JsonToken.START_ARRAY) {
                throw new MalformedDataException(name, "expected a JSON list of records (LAVIS annotation format), "
                        + "found " + (t == null ? "an empty file" : describe(t)) + " at the start");
            }
        } catch (JacksonException e) {
            throw unparseable(e);
        }
    }

    /**
     * The next line, decoded; null at the end of the file ({@link #eof} set) or when the line was queued as a
     * problem item (too long, not UTF-8).
     */
    private String nextText() throws IOException {
        int r = readLine();
        if (r == EOF) {
            eof = true;
            return null;
        }
        record++;
        byte[] bytes = line.toByteArray();
        if (r == TOO_LONG_LINE) {
            pending.add(Item.problem(TOO_LONG, excerpt(bytes)));
            return null;
        }
        if (firstLine && indexOf(bytes, (byte) 0) >= 0) {
            throw new MalformedDataException(name, "binary data (a NUL byte) in the first line: not a text file");
        }
        firstLine = false;
        String s = decode(bytes);
        if (s == null) {
            pending.add(Item.problem(INVALID_UTF8, excerpt(bytes)));
        }
        return s;
    }

    /** The next item, or null at the end of the file. */
    Item next() throws IOException {
        try {
            while (pending.isEmpty()) {
                boolean more = switch (format) {
                    case TEXT -> nextLine();
                    case JSON_LINES -> nextJsonLine();
                    case JSON_LIST -> nextListElement();
                };
                if (!more) {
                    return null;
                }
            }
            return pending.poll();
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new MalformedDataException(name, "corrupt or truncated gzip stream after " + record
                    + " records (" + e.getMessage() + ")", e);
        }
    }

    private boolean nextLine() throws IOException {
        String s = nextText();
        if (eof) {
            return false;
        }
        if (s != null) {
            pending.add(Item.text(s));
        }
        return true;
    }

    private boolean nextJsonLine() throws IOException {
        while (true) {
            String s = nextText();
            if (eof) {
                return false;
            }
            if (s == null) {
                return true;
            }
            if (s.isBlank()) {
                record--; // blank separator lines are not records
                continue;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(s);
            } catch (JacksonException e) {
                pending.add(Item.problem(INVALID_JSON, clip(s)));
                return true;
            }
            addTexts(node, s);
            return true;
        }
    }

    private boolean nextListElement() throws IOException {
        try {
            JsonToken t = parser.nextToken();
            if (t == JsonToken.END_ARRAY) {
                if (parser.nextToken() != null) {
                    throw new MalformedDataException(name, "unexpected content after the end of the list at "
                            + where(parser.currentLocation()));
                }
                return false;
            }
            if (t == null) {
                throw new MalformedDataException(name, "the list is not closed: the file ends after " + record
                        + " records (truncated?)");
            }
            record++;
            long start = parser.currentLocation().getCharOffset();
            JsonNode node = Json.MAPPER.readTree(parser);
            long chars = parser.currentLocation().getCharOffset() - start;
            if (start >= 0 && chars > maxChars) {
                pending.add(Item.problem(TOO_LONG, clip(node.toString())));
            } else {
                addTexts(node, null);
            }
            return true;
        } catch (JacksonException e) {
            throw unparseable(e);
        }
    }

    private void addTexts(JsonNode node, String raw) {
        if (!node.isObject()) {
            pending.add(Item.problem(NOT_AN_OBJECT, clip(raw != null ? raw : node.toString())));
            return;
        }
        JsonNode value = null;
        for (String f : fields) {
            if (node.has(f)) {
                value = node.get(f);
                break;
            }
        }
        if (value == null) {
            pending.add(Item.problem(MISSING_TEXT_FIELD, clip(raw != null ? raw : node.toString())));
        } else if (value.isTextual()) {
            pending.add(Item.text(value.asText()));
        } else if (value.isArray() && !value.isEmpty()) {
            for (JsonNode v : value) {
                pending.add(v.isTextual() ? Item.text(v.asText()) : Item.problem(NOT_TEXT, clip(v.toString())));
            }
        } else {
            pending.add(Item.problem(NOT_TEXT, clip(raw != null ? raw : node.toString())));
        }
    }

    private MalformedDataException unparseable(JacksonException e) {
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
            return new MalformedDataException(name, "the JSON list is not closed: the file ends at "
                    + where(e.getLocation()) + " after " + record + " records (truncated?)", e);
        }
        return new MalformedDataException(name, "invalid JSON at " + where(e.getLocation()) + " after " + record
                + " records: " + e.getOriginalMessage(), e);
    }

    private static String where(JsonLocation loc) {
        return loc == null ? "an unknown position" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static final int EOF = -1;
    private static final int OK_LINE = 0;
    private static final int TOO_LONG_LINE = 1;

    /**
     * Reads one line into {@link #line} (without the line end). At most {@code 4 * maxChars} bytes are kept; the
     * rest of an over-long line is skipped, so memory stays bounded.
     */
    private int readLine() throws IOException {
        line.reset();
        int limit = 4 * maxChars;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == lim) {
                lim = in.read(buf, 0, buf.length);
                pos = 0;
                if (lim <= 0) {
                    lim = 0;
                    if (!any) {
                        return EOF;
                    }
                    break;
                }
            }
            any = true;
            int start = pos;
            while (pos < lim && buf[pos] != '\n') {
                pos++;
            }
            int room = limit - line.size();
            int n = pos - start;
            if (n > room) {
                tooLong = true;
                n = Math.max(room, 0);
            }
            line.write(buf, start, n);
            if (pos < lim) {
                pos++; // the '\n'
                break;
            }
        }
        if (line.size() > 0 && line.lastByte() == '\r') {
            line.truncate(line.size() - 1);
        }
        if (!tooLong && line.size() > maxChars) {
            String s = decode(line.toByteArray());
            tooLong = s != null && s.length() > maxChars;
        }
        return tooLong ? TOO_LONG_LINE : OK_LINE;
    }

    /** A byte buffer that can drop its last byte. */
    private static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(256);
        }

        int lastByte() {
            return buf[count - 1];
        }

        void truncate(int n) {
            count = n;
        }
    }

    private String decode(byte[] bytes) {
        try {
            CharBuffer cb = utf8.reset().decode(ByteBuffer.wrap(bytes));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int indexOf(byte[] a, byte v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static String excerpt(byte[] bytes) {
        return clip(new String(bytes, 0, Math.min(bytes.length, 4 * EXCERPT), StandardCharsets.UTF_8));
    }

    private static String clip(String s) {
        return s.length() <= EXCERPT ? s : s.substring(0, EXCERPT) + "…";
    }

    @Override
    public void close() throws IOException {
        if (parser != null) {
            parser.close();
        }
        in.close();
    }
}
