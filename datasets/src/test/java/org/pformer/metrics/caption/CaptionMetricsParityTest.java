package org.pformer.metrics.caption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Our caption metrics equal pycocoevalcap's on the committed fixtures, corpus and per image, to 1e-6. */
class CaptionMetricsParityTest {
    private static final Logger LOG = LoggerFactory.getLogger(CaptionMetricsParityTest.class);
    private static final double TOLERANCE = 1e-6;
    private static final List<String> IN_JVM = List.of("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr");

    private static CaptionFixtures fixtures;

    @BeforeAll
    static void load() {
        fixtures = new CaptionFixtures();
    }

    @Test
    void tokenisationEqualsCoreNlp341AsPycocoevalcapRunsIt() {
        CocoPtbTokenizer tokenizer = new CocoPtbTokenizer();
        JsonNode tokenized = fixtures.expected.get("tokenized");
        int checked = 0;
        for (Map.Entry<String, List<String>> e : fixtures.references.entrySet()) {
            String id = e.getKey();
            assertThat(tokenizer.tokenize(fixtures.predictions.get(id)))
                    .as("prediction of %s: %s", id, fixtures.predictions.get(id))
                    .isEqualTo(tokenized.get("predictions").get(id).asText());
            JsonNode refs = tokenized.get("refs").get(id);
            for (int j = 0; j < e.getValue().size(); j++) {
                assertThat(tokenizer.tokenize(e.getValue().get(j))).as("reference %d of %s", j, id)
                        .isEqualTo(refs.get(j).asText());
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    @Test
    void bleuRougeCiderEqualPycocoevalcapOnEveryDomainAndOverall() {
        try (CaptionMetrics metrics = new CaptionMetrics(ExternalScorerConfig.none())) {
            Map<String, CaptionReport> reports =
                    metrics.evaluateByDomain(fixtures.references, fixtures.predictions, fixtures.domains);
            assertThat(reports.keySet()).containsExactly("in-domain", "near-domain", "out-domain", "overall");
            assertMatches(reports, IN_JVM);
            assertThat(reports.get("overall").unavailable()).containsOnlyKeys("METEOR", "SPICE");
        }
    }

    @Test
    void meteorEqualsPycocoevalcapWhenTheJarIsConfigured() {
        ExternalScorerConfig config = ExternalScorerConfig.fromEnvironment();
        Assumptions.assumeTrue(config.meteorProblem().isEmpty(),
                () -> "METEOR parity not checked: " + config.meteorProblem().orElse(""));
        ExternalScorerConfig meteorOnly =
                new ExternalScorerConfig(config.meteorJar(), java.util.Optional.empty(), List.of(), config.java());
        try (CaptionMetrics metrics = new CaptionMetrics(meteorOnly)) {
            Map<String, CaptionReport> reports =
                    metrics.evaluateByDomain(fixtures.references, fixtures.predictions, fixtures.domains);
            assertMatches(reports, List.of("METEOR"));
        }
    }

    @Test
    void spiceEqualsPycocoevalcapWhenConfiguredAndTheFixturesHaveIt() {
        ExternalScorerConfig config = ExternalScorerConfig.fromEnvironment();
        Assumptions.assumeTrue(config.spiceProblem().isEmpty(),
                () -> "SPICE parity not checked: " + config.spiceProblem().orElse(""));
        Assumptions.assumeTrue(fixtures.expected.get("sets").get("overall").get("corpus").has("SPICE"),
                "the fixtures were made without --spice");
        ExternalScorerConfig spiceOnly = new ExternalScorerConfig(java.util.Optional.empty(), config.spiceJar(),
                config.spiceClasspath(), config.java());
        try (CaptionMetrics metrics = new CaptionMetrics(spiceOnly)) {
            Map<String, CaptionReport> reports =
                    metrics.evaluateByDomain(fixtures.references, fixtures.predictions, fixtures.domains);
            assertMatches(reports, List.of("SPICE"));
        }
    }

    private static void assertMatches(Map<String, CaptionReport> reports, List<String> metrics) {
        JsonNode sets = fixtures.expected.get("sets");
        for (String metric : metrics) {
            double maxDiff = 0;
            int compared = 0;
            for (Iterator<String> it = sets.fieldNames(); it.hasNext(); ) {
                String set = it.next();
                JsonNode exp = sets.get(set);
                CaptionReport got = reports.get(set);
                assertThat(got).as("report for %s", set).isNotNull();
                double want = exp.get("corpus").get(metric).asDouble();
                assertThat(got.corpus().get(metric)).as("%s corpus %s", set, metric).isCloseTo(want, within(TOLERANCE));
                maxDiff = Math.max(maxDiff, Math.abs(got.corpus().get(metric) - want));
                List<String> ids = new ArrayList<>();
                exp.get("perImage").fieldNames().forEachRemaining(ids::add);
                assertThat(got.perImage().keySet()).containsExactlyInAnyOrderElementsOf(ids);
                for (String id : ids) {
                    double w = exp.get("perImage").get(id).get(metric).asDouble();
                    double g = got.perImage().get(id).get(metric);
                    assertThat(g).as("%s %s of image %s", set, metric, id).isCloseTo(w, within(TOLERANCE));
                    maxDiff = Math.max(maxDiff, Math.abs(g - w));
                    compared++;
                }
            }
            LOG.info("{}: {} per-image values + 4 corpus values match pycocoevalcap, max |diff| = {}", metric,
                    compared, maxDiff);
        }
    }
}
