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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.metrics.caption.CaptionMetric;
import org.pformer.metrics.caption.CaptionMetrics;
import org.pformer.metrics.caption.CaptionReport;
import org.pformer.metrics.caption.ExternalScorerConfig;

class CaptionEvaluatorTest {

    private static NDManager manager;
    private static LlmTokenizer tokenizer;
    private static CaptionMetrics metrics;
    private static CaptionEvaluator evaluator;

    @TempDir
    Path tmp;

    @BeforeAll
    static void model() throws IOException {
        manager = NDManager.newBaseManager("PyTorch");
        tokenizer = EvalWorld.llmTokenizer();
        metrics = new CaptionMetrics(ExternalScorerConfig.none());
        evaluator = new CaptionEvaluator(EvalWorld.stage2(manager, tokenizer), tokenizer, EvalWorld.preprocessor(),
                metrics, new CaptionEvaluator.Options(new DecodingSettings(2, 6, 2, 1.0, 1.0, "a photo of"),
                        new DecodingSettings(2, 8, 3, 1.0, 1.0, "a photo of"), 4));
    }

    @AfterAll
    static void close() {
        metrics.close();
        tokenizer.close();
        manager.close();
    }

    private static CaptionEvaluator.CaptionFiles world(WorldManifest.CaptionFiles f) {
        return new CaptionEvaluator.CaptionFiles(EvalWorld.file(f.annotations()), EvalWorld.file(f.references()),
                EvalWorld.file(f.images()));
    }

    @Test
    void nocapsReportsCiderPerDomainAndSaysWhySpiceIsMissing() throws IOException {
        CaptionEvaluator.CaptionFiles files = world(EvalWorld.manifest().datasets().nocaps());
        Path predictions = tmp.resolve("nocaps/predictions.json");
        Path report = tmp.resolve("nocaps/report.json");
        List<long[]> progress = new ArrayList<>();
        int arraysBefore = manager.getManagedArrays().size();
        evaluator.evaluateNocaps(files, predictions, report, (d, t) -> progress.add(new long[] {d, t}));
        assertThat(manager.getManagedArrays()).hasSize(arraysBefore); // nothing is left behind on the device

        JsonNode list = Json.MAPPER.readTree(files.images().toFile());
        JsonNode preds = Json.MAPPER.readTree(predictions.toFile());
        List<Long> expected = new ArrayList<>();
        list.forEach(i -> expected.add(i.get("img_id").asLong()));
        List<Long> ids = new ArrayList<>();
        Map<String, String> predicted = new LinkedHashMap<>();
        preds.forEach(p -> {
            ids.add(p.get("image_id").asLong());
            assertThat(p.get("caption").isTextual()).isTrue();
            predicted.put(p.get("image_id").asText(), p.get("caption").asText());
        });
        assertThat(ids).containsExactlyElementsOf(expected);
        assertThat(predicted.values()).anyMatch(c -> !c.isEmpty());

        JsonNode rep = Json.MAPPER.readTree(report.toFile());
        assertThat(rep.get("task").asText()).isEqualTo("nocaps");
        assertThat(rep.get("images").asInt()).isEqualTo(list.size());
        assertThat(names(rep.get("cider"))).containsExactly("in-domain", "near-domain", "out-domain", "overall");
        rep.get("cider").forEach(v -> assertThat(v.asDouble()).isFinite().isGreaterThanOrEqualTo(0.0));
        assertThat(rep.has("spice")).isFalse();
        assertThat(rep.get("spice_unavailable").asText()).contains(ExternalScorerConfig.SPICE_JAR_ENV);
        assertThat(names(rep.get("unavailable"))).containsExactlyInAnyOrder("METEOR", "SPICE");
        assertThat(rep.get("metrics").get("overall").get("Bleu_4").asDouble()).isBetween(0.0, 1.0);
        assertThat(rep.has("bleu_4")).isFalse();
        assertThat(rep.get("decoding").get("num_beams").asInt()).isEqualTo(2);
        assertThat(progress).hasSize((list.size() + 3) / 4);
        assertThat(progress.get(progress.size() - 1)).containsExactly(list.size(), list.size());

        // overall CIDEr is the scorer's value for the written predictions
        Map<String, List<String>> refs = new LinkedHashMap<>();
        JsonNode gt = Json.MAPPER.readTree(files.references().toFile());
        gt.get("annotations").forEach(a -> refs.computeIfAbsent(a.get("image_id").asText(), k -> new ArrayList<>())
                .add(a.get("caption").asText()));
        assertThat(metrics.evaluate(refs, predicted).score(CaptionMetric.CIDER).getAsDouble())
                .isCloseTo(rep.get("cider").get("overall").asDouble(), within(1e-9));
    }

    @Test
    void cocoKarpathyReportsBleu4AndCider() throws IOException {
        CaptionEvaluator.CaptionFiles files = world(EvalWorld.manifest().datasets().cocoCaption());
        Path predictions = tmp.resolve("coco/predictions.json");
        CaptionEvalReport r = evaluator.evaluateCoco(files, predictions, tmp.resolve("coco/report.json"),
                EvalProgress.NONE);
        JsonNode list = Json.MAPPER.readTree(files.images().toFile());
        JsonNode preds = Json.MAPPER.readTree(predictions.toFile());
        assertThat(preds.size()).isEqualTo(list.size());
        List<Long> ids = new ArrayList<>();
        preds.forEach(p -> ids.add(p.get("image_id").asLong()));
        assertThat(ids).doesNotHaveDuplicates().hasSize(list.size());
        JsonNode rep = Json.MAPPER.readTree(tmp.resolve("coco/report.json").toFile());
        assertThat(rep.get("task").asText()).isEqualTo("coco_karpathy_test");
        assertThat(rep.get("bleu_4").asDouble()).isBetween(0.0, 1.0).isEqualTo(r.bleu4());
        assertThat(names(rep.get("cider"))).containsExactly("overall");
        assertThat(rep.get("cider").get("overall").asDouble()).isFinite().isGreaterThanOrEqualTo(0.0);
        assertThat(names(rep.get("metrics"))).containsExactly("overall");
        assertThat(rep.get("decoding").get("max_new_tokens").asInt()).isEqualTo(8);
    }

    @Test
    void emptyAndUnicodeCaptionsAreScored() {
        Map<String, List<String>> refs = new LinkedHashMap<>();
        refs.put("1", List.of("a red circle on the left", "a red ball"));
        refs.put("2", List.of("ein Café über der naïve Straße", "a blue square ☕"));
        refs.put("3", List.of("a green star", "one green star"));
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("1", "");
        preds.put("2", "un café crème ☕ naïve");
        preds.put("3", "a green star");
        Map<String, String> domains = Map.of("1", "in-domain", "2", "out-domain", "3", "in-domain");
        Map<String, CaptionReport> byDomain = CaptionEvaluator.score(metrics, refs, preds, domains);
        assertThat(byDomain.keySet()).containsExactly("in-domain", "out-domain", "overall");
        assertThat(byDomain.get("overall").perImage().get("1").get("CIDEr")).isZero();
        assertThat(byDomain.get("overall").perImage().get("3").get("CIDEr")).isPositive();
        assertThat(byDomain.get("overall").perImage().get("2").get("Bleu_1")).isPositive(); // "café" matches
        byDomain.values().forEach(r -> r.corpus().values().forEach(v -> assertThat(v).isFinite()));
        Map<String, CaptionReport> single = CaptionEvaluator.score(metrics, refs, preds,
                Map.of("1", "overall", "2", "overall", "3", "overall"));
        assertThat(single.keySet()).containsExactly("overall");
        assertThat(CaptionEvaluator.corpus(single, CaptionMetric.CIDER).get("overall"))
                .isEqualTo(byDomain.get("overall").corpus().get("CIDEr"));
    }

    @Test
    void cocoImageIdsFollowLavisFileNameRule() {
        assertThat(CaptionEvaluator.lavisCocoId("val2014/COCO_val2014_000000391895.jpg")).isEqualTo(391895L);
        assertThat(CaptionEvaluator.lavisCocoId("coco/000012.png")).isEqualTo(12L);
        assertThat(CaptionEvaluator.lavisCocoId("coco/picture.png")).isNull();
    }

    @Test
    void badInputNamesTheFileAndTheField() throws IOException {
        Files.write(tmp.resolve("a.png"), new byte[] {1});
        Path list = Files.writeString(tmp.resolve("val.json"), """
                [{"image": "a.png", "img_id": 0, "domain": "in-domain"},
                 {"image": "a.png", "img_id": 1, "domain": "out-domain"}]""");
        Path refs = Files.writeString(tmp.resolve("refs.json"), """
                {"images": [{"id": 0}, {"id": 1}], "annotations": [{"image_id": 0, "id": 0, "caption": "a cat"}]}""");
        CaptionEvaluator.CaptionFiles files = new CaptionEvaluator.CaptionFiles(list, refs, tmp);
        assertThatThrownBy(() -> evaluator.evaluateNocaps(files, tmp.resolve("p.json"), tmp.resolve("r.json"),
                EvalProgress.NONE))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining(refs.toString())
                .hasMessageContaining("image_id 1").hasMessageContaining("'annotations'");
        assertThat(tmp.resolve("p.json")).doesNotExist();

        Path noDomain = Files.writeString(tmp.resolve("val2.json"), "[{\"image\": \"a.png\", \"img_id\": 0}]");
        assertThatThrownBy(() -> evaluator.evaluateNocaps(new CaptionEvaluator.CaptionFiles(noDomain, refs, tmp),
                tmp.resolve("p.json"), tmp.resolve("r.json"), EvalProgress.NONE))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining(noDomain.toString())
                .hasMessageContaining("'domain'");

        Path missing = tmp.resolve("missing_gt.json");
        assertThatThrownBy(() -> evaluator.evaluateCoco(new CaptionEvaluator.CaptionFiles(list, missing, tmp),
                tmp.resolve("p.json"), tmp.resolve("r.json"), EvalProgress.NONE))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString());
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
