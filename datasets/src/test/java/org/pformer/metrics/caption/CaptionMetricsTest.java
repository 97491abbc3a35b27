package org.pformer.metrics.caption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionMetricsTest {
    private static final Map<String, List<String>> REFS = new LinkedHashMap<>(Map.of(
            "1", List.of("a small red circle to the left of a large blue square", "a red circle left of a blue square"),
            "2", List.of("a big green star above a tiny yellow heart", "a green star over a yellow heart"),
            "3", List.of("a black cross below a white diamond")));

    private static CaptionReport evaluate(Map<String, String> predictions) {
        try (CaptionMetrics m = new CaptionMetrics(ExternalScorerConfig.none())) {
            return m.evaluate(REFS, predictions);
        }
    }

    @Test
    void emptyPredictionScoresZeroAndDoesNotFail() {
        CaptionReport r = evaluate(Map.of("1", "", "2", "a green star above a yellow heart", "3", "!!!"));
        Map<String, Double> empty = r.perImage().get("1");
        assertThat(empty.get("CIDEr")).isZero();
        assertThat(empty.get("ROUGE_L")).isZero();
        assertThat(empty.get("Bleu_1")).isLessThan(1e-6);
        assertThat(r.perImage().get("2").get("CIDEr")).isPositive();
        assertThat(r.images()).isEqualTo(3);
    }

    @Test
    void betterCaptionsScoreHigher() {
        CaptionReport good = evaluate(Map.of("1", "a small red circle to the left of a large blue square",
                "2", "a big green star above a tiny yellow heart", "3", "a black cross below a white diamond"));
        CaptionReport bad = evaluate(Map.of("1", "a blue square", "2", "a red circle", "3", "a star star star"));
        for (String metric : List.of("Bleu_4", "ROUGE_L", "CIDEr")) {
            assertThat(good.corpus().get(metric)).as(metric).isGreaterThan(bad.corpus().get(metric));
        }
    }

    @Test
    void imagesWithoutReferencesOrPredictionsAreNamed() {
        Map<String, List<String>> refs = new LinkedHashMap<>(REFS);
        refs.put("7", List.of());
        Map<String, String> preds = Map.of("1", "a", "2", "b", "3", "c", "7", "d");
        try (CaptionMetrics m = new CaptionMetrics(ExternalScorerConfig.none())) {
            assertThatThrownBy(() -> m.evaluate(refs, preds)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("image '7' has no reference captions");
            assertThatThrownBy(() -> m.evaluate(REFS, Map.of("1", "a", "2", "b")))
                    .hasMessage("image '3' has reference captions but no prediction");
            assertThatThrownBy(() -> m.evaluate(REFS, Map.of("1", "a", "2", "b", "3", "c", "9", "d")))
                    .hasMessageContaining("prediction for image '9' has no reference captions");
            assertThatThrownBy(() -> m.evaluate(Map.of(), Map.of())).hasMessageContaining("no images");
            assertThatThrownBy(() -> m.evaluateByDomain(REFS, Map.of("1", "a", "2", "b", "3", "c"),
                    Map.of("1", "in-domain", "2", "out-domain"))).hasMessageContaining("image '3' has no domain");
        }
    }

    @Test
    void domainSplitScoresEachDomainOnItsOwn() {
        Map<String, String> preds = Map.of("1", "a small red circle left of a blue square",
                "2", "a green star above a heart", "3", "a black cross");
        try (CaptionMetrics m = new CaptionMetrics(ExternalScorerConfig.none())) {
            Map<String, CaptionReport> byDomain = m.evaluateByDomain(REFS, preds,
                    Map.of("1", "in-domain", "2", "in-domain", "3", "special"));
            assertThat(byDomain.keySet()).containsExactly("in-domain", "special", "overall");
            Map<String, List<String>> inRefs = new LinkedHashMap<>(REFS);
            inRefs.remove("3");
            CaptionReport alone = m.evaluate(inRefs, Map.of("1", preds.get("1"), "2", preds.get("2")));
            assertThat(byDomain.get("in-domain")).isEqualTo(alone);
            // CIDEr's document frequencies depend on the set: the same image scores differently
            assertThat(byDomain.get("in-domain").perImage().get("1").get("CIDEr"))
                    .isNotEqualTo(byDomain.get("overall").perImage().get("1").get("CIDEr"));
        }
    }

    @Test
    void missingExternalScorersAreReportedAsUnavailableNeverAsNumbers(@TempDir Path dir) throws Exception {
        CaptionReport r = evaluate(Map.of("1", "a", "2", "b", "3", "c"));
        assertThat(r.corpus()).doesNotContainKeys("METEOR", "SPICE");
        assertThat(r.summaryLines()).anyMatch(l -> l.startsWith("METEOR: unavailable (PFORMER_METEOR_JAR is not set"))
                .anyMatch(l -> l.startsWith("SPICE: unavailable (PFORMER_SPICE_JAR is not set"))
                .anyMatch(l -> l.startsWith("CIDEr: "));
        assertThat(r.perImage().get("1")).doesNotContainKeys("METEOR", "SPICE");

        Path notAJar = Files.writeString(dir.resolve("meteor-1.5.jar"), "not a jar");
        ExternalScorerConfig broken = new ExternalScorerConfig(Optional.of(notAJar),
                Optional.of(dir.resolve("absent.jar")), List.of(), ExternalScorerConfig.currentJava());
        try (CaptionMetrics m = new CaptionMetrics(broken)) {
            CaptionReport b = m.evaluate(REFS, Map.of("1", "a", "2", "b", "3", "c"));
            assertThat(b.corpus()).doesNotContainKeys("METEOR", "SPICE");
            assertThat(b.unavailable().get("METEOR")).startsWith("METEOR failed:");
            assertThat(b.unavailable().get("SPICE")).contains("absent.jar").contains("not a file");
        }
    }

    @Test
    void externalScorerConfigReadsPropertiesBeforeEnvironment() {
        ExternalScorerConfig c = ExternalScorerConfig.from(
                Map.of("PFORMER_METEOR_JAR", "/env/meteor.jar", "PFORMER_SPICE_CLASSPATH", "/a.jar:/lib/*"),
                k -> k.equals("pformer.meteor.jar") ? "/prop/meteor.jar" : null);
        assertThat(c.meteorJar()).contains(Path.of("/prop/meteor.jar"));
        assertThat(c.spiceJar()).isEmpty();
        assertThat(c.spiceClasspath()).containsExactly("/a.jar", "/lib/*");
    }

    @Test
    void reportSerialisesWithJackson() throws Exception {
        CaptionReport r = evaluate(Map.of("1", "a red circle", "2", "a star", "3", "a cross"));
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readValue(json.writeValueAsString(r), CaptionReport.class)).isEqualTo(r);
    }

    @Test
    void tokeniserTreatsEveryLineBreakAsASpace() {
        CocoPtbTokenizer t = new CocoPtbTokenizer();
        assertThat(t.tokenize("A Red\rcircle\u2028left.")).isEqualTo(t.tokenize("A Red circle left."))
                .isEqualTo("a red circle left");
        assertThat(t.tokenize("(big) dog")).isEqualTo("-lrb- big -rrb- dog");
        assertThat(t.tokenize("")).isEmpty();
    }
}
