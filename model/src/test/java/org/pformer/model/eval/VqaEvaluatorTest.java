package org.pformer.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.metrics.vqa.VqaAccuracy;
import org.pformer.metrics.vqa.VqaAnnotation;
import org.pformer.metrics.vqa.VqaPrediction;
import org.pformer.model.blip2.Blip2Stage2;

class VqaEvaluatorTest {

    private static NDManager manager;
    private static LlmTokenizer tokenizer;
    private static VqaEvaluator evaluator;
    private static final VqaEvaluator.Options OPTIONS = new VqaEvaluator.Options(
            new DecodingSettings(2, 4, 1, -1.0, 1.0, "Question: {} Short answer:"), 8, VqaAccuracy.Variant.OFFICIAL);

    @TempDir
    Path tmp;

    @BeforeAll
    static void model() throws IOException {
        manager = NDManager.newBaseManager("PyTorch");
        tokenizer = EvalWorld.llmTokenizer();
        Blip2Stage2 model = EvalWorld.stage2(manager, tokenizer);
        evaluator = new VqaEvaluator(model, tokenizer, EvalWorld.preprocessor(), OPTIONS);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        manager.close();
    }

    private static VqaEvaluator.VqaFiles world(WorldManifest.VqaFiles f) {
        return new VqaEvaluator.VqaFiles(EvalWorld.file(f.questions()), EvalWorld.file(f.annotations()),
                EvalWorld.file(f.images()), f.imageTemplate(), EvalWorld.file(f.domains()));
    }

    /** (done, total) pairs reported. */
    private static final class Recorder implements EvalProgress {
        final List<long[]> calls = new ArrayList<>();

        @Override
        public void progress(long done, long total) {
            calls.add(new long[] {done, total});
        }

        void assertCompleted(long total, int batch) {
            assertThat(calls).hasSize((int) ((total + batch - 1) / batch));
            long previous = 0;
            for (long[] c : calls) {
                assertThat(c[1]).isEqualTo(total);
                assertThat(c[0]).isGreaterThan(previous).isLessThanOrEqualTo(total);
                previous = c[0];
            }
            assertThat(previous).isEqualTo(total);
        }
    }

    @Test
    void vqav2WritesOneOfficialResultPerQuestionAndAConsistentReport() throws IOException {
        for (String task : List.of("vqav2", "okvqa")) {
            WorldManifest.VqaFiles f = task.equals("vqav2") ? EvalWorld.manifest().datasets().vqav2()
                    : EvalWorld.manifest().datasets().okvqa();
            VqaEvaluator.VqaFiles files = world(f);
            Path results = tmp.resolve(task + "/results.json");
            Path report = tmp.resolve(task + "/report.json");
            Recorder progress = new Recorder();
            VqaEvalReport r = evaluator.evaluateVqa(task, files, results, report, progress);

            JsonNode questions = Json.MAPPER.readTree(files.questions().toFile()).get("questions");
            JsonNode annotations = Json.MAPPER.readTree(files.annotations().toFile()).get("annotations");
            JsonNode res = Json.MAPPER.readTree(results.toFile());
            assertThat(res.size()).isEqualTo(questions.size());
            List<Long> expectedIds = new ArrayList<>();
            questions.forEach(q -> expectedIds.add(q.get("question_id").asLong()));
            List<Long> ids = new ArrayList<>();
            List<VqaPrediction> predictions = new ArrayList<>();
            res.forEach(e -> {
                assertThat(e.get("answer").isTextual()).isTrue();
                ids.add(e.get("question_id").asLong());
                predictions.add(new VqaPrediction(e.get("question_id").asLong(), e.get("answer").asText()));
            });
            assertThat(ids).containsExactlyElementsOf(expectedIds); // each question once, in file order
            assertThat(predictions).anyMatch(p -> !p.answer().isEmpty()); // the decoder's tokens come back as text

            JsonNode rep = Json.MAPPER.readTree(report.toFile());
            assertThat(rep.get("task").asText()).isEqualTo(task);
            assertThat(rep.get("variant").asText()).isEqualTo("OFFICIAL");
            assertThat(rep.get("questions").asInt()).isEqualTo(questions.size());
            double overall = rep.get("overall").asDouble();
            assertThat(overall).isBetween(0.0, 100.0).isEqualTo(r.overall());
            Set<String> qTypes = new HashSet<>();
            Set<String> aTypes = new HashSet<>();
            annotations.forEach(a -> {
                qTypes.add(a.get("question_type").asText());
                aTypes.add(a.get("answer_type").asText());
            });
            assertThat(names(rep.get("per_question_type"))).containsExactlyInAnyOrderElementsOf(qTypes);
            assertThat(names(rep.get("per_answer_type"))).containsExactlyInAnyOrderElementsOf(aTypes);
            rep.get("per_question_type").forEach(v -> assertThat(v.asDouble()).isBetween(0.0, 100.0));
            assertThat(names(rep.get("per_domain"))).isNotEmpty()
                    .isSubsetOf("in-domain", "near-domain", "out-domain");
            rep.get("per_domain").forEach(v -> assertThat(v.asDouble()).isBetween(0.0, 100.0));
            assertThat(rep.get("empty_answers").asInt()).isBetween(0, questions.size());
            assertThat(rep.get("decoding").get("num_beams").asInt()).isEqualTo(2);
            assertThat(rep.get("decoding").get("prompt").asText()).isEqualTo("Question: {} Short answer:");

            // the report is what the official accuracy gives for the written result file
            List<VqaAnnotation> anns = List.of(Json.MAPPER.treeToValue(
                    Json.MAPPER.readTree(files.annotations().toFile()), VqaAnnotation.File.class).annotations()
                    .toArray(VqaAnnotation[]::new));
            assertThat(VqaAccuracy.score(predictions, anns).overall()).isCloseTo(overall, within(1e-9));
            progress.assertCompleted(questions.size(), 8);
        }
    }

    @Test
    void gqaWritesOneResultPerQuestionAndExactMatchAccuracy() throws IOException {
        WorldManifest.Datasets d = EvalWorld.manifest().datasets();
        VqaEvaluator.GqaFiles files = new VqaEvaluator.GqaFiles(EvalWorld.file(d.gqa().annotations()),
                EvalWorld.file(d.gqa().images()), EvalWorld.file(d.gqaDomains()));
        Recorder progress = new Recorder();
        GqaEvalReport r = evaluator.evaluateGqa(files, tmp.resolve("gqa/results.json"), tmp.resolve("gqa/report.json"),
                progress);
        JsonNode questions = Json.MAPPER.readTree(files.questions().toFile());
        JsonNode res = Json.MAPPER.readTree(tmp.resolve("gqa/results.json").toFile());
        List<String> expected = new ArrayList<>();
        questions.forEach(q -> expected.add(q.get("question_id").asText()));
        List<String> ids = new ArrayList<>();
        int hits = 0;
        for (int i = 0; i < res.size(); i++) {
            ids.add(res.get(i).get("question_id").asText());
            assertThat(res.get(i).get("question_id").isTextual()).isTrue();
            hits += org.pformer.metrics.vqa.VqaAnswerNormalizer.normalize(res.get(i).get("answer").asText())
                    .equals(org.pformer.metrics.vqa.VqaAnswerNormalizer.normalize(
                            questions.get(i).get("answer").asText())) ? 1 : 0;
        }
        assertThat(ids).containsExactlyElementsOf(expected);
        JsonNode rep = Json.MAPPER.readTree(tmp.resolve("gqa/report.json").toFile());
        assertThat(rep.get("task").asText()).isEqualTo("gqa");
        assertThat(rep.get("questions").asInt()).isEqualTo(questions.size());
        assertThat(rep.get("overall").asDouble()).isEqualTo(r.overall())
                .isCloseTo(100.0 * hits / questions.size(), within(1e-9));
        assertThat(names(rep.get("per_domain"))).isSubsetOf("in-domain", "near-domain", "out-domain");
        progress.assertCompleted(questions.size(), 8);
    }

    @Test
    void answersAreScoredThroughTheOfficialNormalisation() throws IOException {
        Path q = write("q.json", """
                {"questions": [{"image_id": 1, "question": "How many dogs?", "question_id": 10},
                               {"image_id": 1, "question": "What animal?", "question_id": 11},
                               {"image_id": 2, "question": "What colour?", "question_id": 12}]}""");
        Path a = write("a.json", """
                {"annotations": [
                  {"question_id": 10, "image_id": 1, "question_type": "how many", "answer_type": "number",
                   "answers": [%s]},
                  {"question_id": 11, "image_id": 1, "question_type": "what", "answer_type": "other",
                   "answers": [%s]},
                  {"question_id": 12, "image_id": 2, "question_type": "what", "answer_type": "other",
                   "answers": [%s]}]}""".formatted(answers("2", "two"), answers("dog", "a dog"), answers("red", "red")));
        images(1, 2);
        VqaEvaluator.VqaInput in = VqaEvaluator.readVqa(new VqaEvaluator.VqaFiles(q, a, tmp, "%d.png", null));
        VqaEvaluator.Scored<VqaPrediction, VqaEvalReport> s = VqaEvaluator.scoreVqa("vqav2", in,
                List.of("Two", "the dog", ""), OPTIONS);
        // "two" -> "2" and articles dropped: both fully right; the empty answer scores 0
        assertThat(s.report().overall()).isCloseTo(200.0 / 3, within(1e-9));
        assertThat(s.report().perAnswerType()).containsEntry("number", 100.0).containsEntry("other", 50.0);
        assertThat(s.report().perQuestionType()).containsEntry("how many", 100.0).containsEntry("what", 50.0);
        assertThat(s.report().emptyAnswers()).isEqualTo(1);
        assertThat(s.report().perDomain()).isNull();
        assertThat(s.predictions()).extracting(VqaPrediction::questionId).containsExactly(10L, 11L, 12L);
    }

    @Test
    void badInputNamesTheFileAndTheField() throws IOException {
        Path q = write("q.json", """
                {"questions": [{"image_id": 1, "question": "What?", "question_id": 3},
                               {"image_id": 1, "question": "Why?", "question_id": 4}]}""");
        Path a = write("a.json", """
                {"annotations": [{"question_id": 3, "image_id": 1, "question_type": "what", "answer_type": "other",
                   "answers": [%s]}]}""".formatted(answers("x", "x")));
        images(1);
        assertThatThrownBy(() -> VqaEvaluator.readVqa(new VqaEvaluator.VqaFiles(q, a, tmp, "%d.png", null)))
                .isInstanceOf(MalformedDataException.class)
                .hasMessageContaining(a.toString()).hasMessageContaining("question_id 4")
                .hasMessageContaining("'annotations'");

        Path noType = write("a2.json", """
                {"annotations": [{"question_id": 3, "image_id": 1, "answer_type": "other", "answers": [%s]},
                  {"question_id": 4, "image_id": 1, "question_type": "why", "answer_type": "other",
                   "answers": [%s]}]}""".formatted(answers("x", "x"), answers("y", "y")));
        assertThatThrownBy(() -> VqaEvaluator.readVqa(new VqaEvaluator.VqaFiles(q, noType, tmp, "%d.png", null)))
                .isInstanceOf(MalformedDataException.class)
                .hasMessageContaining(noType.toString()).hasMessageContaining("'question_type'");

        Path missing = tmp.resolve("nope.json");
        assertThatThrownBy(() -> VqaEvaluator.readVqa(new VqaEvaluator.VqaFiles(q, missing, tmp, "%d.png", null)))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString());

        assertThatThrownBy(() -> VqaEvaluator.readVqa(new VqaEvaluator.VqaFiles(q, noType, tmp, "img/%d.png", null)))
                .hasMessageContaining("question_type"); // annotations are checked before images
        Path good = write("a3.json", """
                {"annotations": [{"question_id": 3, "image_id": 1, "question_type": "what", "answer_type": "other",
                   "answers": [%s]}, {"question_id": 4, "image_id": 1, "question_type": "why",
                   "answer_type": "other", "answers": [%s]}]}""".formatted(answers("x", "x"), answers("y", "y")));
        assertThatThrownBy(() -> VqaEvaluator.readVqa(new VqaEvaluator.VqaFiles(q, good, tmp, "img/%d.png", null)))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(tmp.resolve("img/1.png").toString())
                .hasMessageContaining("question_id 3");

        Path domains = write("domains.json", "{\"3\": \"in-domain\"}");
        assertThatThrownBy(() -> VqaEvaluator.readVqa(new VqaEvaluator.VqaFiles(q, good, tmp, "%d.png", domains)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining(domains.toString())
                .hasMessageContaining("4");

        Path gqa = write("gqa.json", """
                [{"image": "1.png", "question": "What?", "question_id": "a", "answer": "x"},
                 {"image": "1.png", "question": "Why?", "question_id": "b"}]""");
        assertThatThrownBy(() -> VqaEvaluator.readGqa(new VqaEvaluator.GqaFiles(gqa, tmp, null)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining(gqa.toString())
                .hasMessageContaining("question_id b").hasMessageContaining("'answer'");
    }

    @Test
    void anInterruptedEvaluationStopsWithoutWritingAnything() {
        VqaEvaluator.VqaFiles files = world(EvalWorld.manifest().datasets().vqav2());
        Path results = tmp.resolve("results.json");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> evaluator.evaluateVqa("vqav2", files, results, tmp.resolve("report.json"),
                    EvalProgress.NONE))
                    .isInstanceOf(EvaluationCancelledException.class)
                    .hasMessageContaining("vqav2 evaluation cancelled").hasMessageContaining("after 0 of");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(results).doesNotExist();
        assertThat(tmp.resolve("report.json")).doesNotExist();
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Ten answers: five of each. */
    private static String answers(String first, String second) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add("{\"answer\": \"" + (i < 5 ? first : second) + "\", \"answer_confidence\": \"yes\", "
                    + "\"answer_id\": " + (i + 1) + "}");
        }
        return String.join(", ", out);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    private void images(int... ids) throws IOException {
        for (int id : ids) {
            Files.write(tmp.resolve(id + ".png"), new byte[] {1});
        }
    }
}
