package org.pformer.datasets.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The module's JSON settings: snake_case field names (as the pipeline configuration and the LAVIS/VQA files;
 * records name an exception explicitly), unknown fields tolerated on read (records cross versions), stable two-space
 * indentation with '\n' line ends on write so the same content always gives the same bytes on every platform.
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private static final ObjectWriter PRETTY = MAPPER.writer(
            new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    /** One line per element for large lists: compact, but still line-diffable and deterministic. */
    private static final ObjectWriter COMPACT = MAPPER.writer();

    private Json() {}

    public static ObjectWriter pretty() {
        return PRETTY;
    }

    public static ObjectWriter compact() {
        return COMPACT;
    }

    /** Writes {@code value} as indented JSON followed by a newline, atomically. */
    public static void writePretty(Path file, Object value) throws IOException {
        AtomicFiles.write(file, out -> {
            PRETTY.writeValue(out, value);
            out.write('\n');
        });
    }
}
