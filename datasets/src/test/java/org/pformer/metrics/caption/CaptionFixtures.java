package org.pformer.metrics.caption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The caption fixtures made by {@code make_fixtures.py} with pycocoevalcap (see its README). */
final class CaptionFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, List<String>> references = new LinkedHashMap<>();
    final Map<String, String> predictions = new LinkedHashMap<>();
    final Map<String, String> domains = new LinkedHashMap<>();
    final JsonNode expected;

    CaptionFixtures() {
        JsonNode input = read("caption_input.json");
        for (JsonNode im : input.get("images")) {
            String id = im.get("id").asText();
            List<String> refs = new ArrayList<>();
            im.get("refs").forEach(r -> refs.add(r.asText()));
            references.put(id, refs);
            predictions.put(id, im.get("prediction").asText());
            domains.put(id, im.get("domain").asText());
        }
        expected = read("caption_expected.json");
    }

    static JsonNode read(String name) {
        try (InputStream in = CaptionFixtures.class.getResourceAsStream("/org/pformer/metrics/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + name + " is missing from the test resources");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
