package org.pformer.metrics.vqa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * VQA accuracy and GQA exact match equal the fixture script's transcription of the official evaluator (and of
 * LAVIS's copy) on official-format files: raw values to 1e-9, the evaluator's 2-decimal rounding exactly.
 */
class VqaAccuracyParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static <T> T read(String name, TypeReference<T> type) throws IOException {
        try (InputStream in = VqaAccuracyParityTest.class.getResourceAsStream("/org/pformer/metrics/" + name)) {
            return JSON.readValue(in, type);
        }
    }

    @ParameterizedTest
    @EnumSource(VqaAccuracy.Variant.class)
    void equalsTheReferenceEvaluator(VqaAccuracy.Variant variant) throws IOException {
        List<VqaAnnotation> annotations = read("vqa_annotations.json", new TypeReference<VqaAnnotation.File>() {
        }).annotations();
        List<VqaPrediction> predictions = read("vqa_results.json", new TypeReference<List<VqaPrediction>>() {
        });
        JsonNode expected = read("vqa_expected.json", new TypeReference<JsonNode>() {
        }).get(variant.name().toLowerCase());

        VqaReport report = VqaAccuracy.score(predictions, annotations, variant);
        assertThat(report.questions()).isEqualTo(400);
        assertReport(report, expected.get("raw"), 1e-9);
        assertReport(report.rounded(), expected.get("rounded"), 0.0);
    }

    private static void assertReport(VqaReport report, JsonNode expected, double tolerance) {
        assertThat(report.overall()).isCloseTo(expected.get("overall").asDouble(), within(tolerance));
        assertThat(report.perQuestionType()).hasSize(expected.get("perQuestionType").size());
        expected.get("perQuestionType").fields().forEachRemaining(e -> assertThat(report.perQuestionType()
                .get(e.getKey())).as("question type %s", e.getKey()).isCloseTo(e.getValue().asDouble(),
                within(tolerance)));
        expected.get("perAnswerType").fields().forEachRemaining(e -> assertThat(report.perAnswerType()
                .get(e.getKey())).as("answer type %s", e.getKey()).isCloseTo(e.getValue().asDouble(),
                within(tolerance)));
        assertThat(report.perQuestion()).hasSize(expected.get("perQuestion").size());
        expected.get("perQuestion").fields().forEachRemaining(e -> assertThat(report.perQuestion()
                .get(Long.parseLong(e.getKey()))).as("question %s", e.getKey()).isCloseTo(e.getValue().asDouble(),
                within(tolerance)));
    }

    @Test
    void gqaExactMatchEqualsTheReference() throws IOException {
        Map<String, String> answers = new LinkedHashMap<>();
        for (JsonNode q : read("gqa_questions.json", new TypeReference<JsonNode>() {
        })) {
            answers.put(q.get("question_id").asText(), q.get("answer").asText());
        }
        Map<String, String> predictions = new LinkedHashMap<>();
        for (JsonNode r : read("gqa_results.json", new TypeReference<JsonNode>() {
        })) {
            predictions.put(r.get("question_id").asText(), r.get("answer").asText());
        }
        JsonNode expected = read("gqa_expected.json", new TypeReference<JsonNode>() {
        });
        GqaReport report = GqaAccuracy.score(predictions, answers);
        assertThat(report.overall()).isEqualTo(expected.get("overall").asDouble());
        expected.get("perQuestion").fields().forEachRemaining(e -> assertThat(report.perQuestion().get(e.getKey()))
                .as("question %s", e.getKey()).isEqualTo(e.getValue().asDouble() == 1.0));
    }
}
