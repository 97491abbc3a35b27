package org.pformer.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import org.pformer.config.ConfigLoader;
import org.pformer.config.EvalConfig;
import org.pformer.model.generate.GenerationConfig;
import org.pformer.model.train.TokenBatch;

/** The small pure pieces: decoding settings, prompt padding, per-domain means, the batch loop. */
class EvalPartsTest {

    @Test
    void defaultDecodingFollowsMethodMd() {
        DecodingSettings vqa = DecodingSettings.vqa();
        assertThat(vqa).isEqualTo(new DecodingSettings(5, 10, 1, -1.0, 1.0, "Question: {} Short answer:"));
        assertThat(vqa.questionPrompt("what colour is the circle"))
                .isEqualTo("Question: what colour is the circle Short answer:");
        assertThat(DecodingSettings.cocoCaption()).isEqualTo(new DecodingSettings(5, 30, 8, 1.0, 1.0, "a photo of"));
        assertThat(DecodingSettings.nocaps()).isEqualTo(new DecodingSettings(3, 20, 5, 1.0, 1.0, "a photo of"));
        GenerationConfig g = vqa.generationConfig(50118);
        assertThat(g).isEqualTo(GenerationConfig.beams(5, 10, 1, -1.0, 1.0, 50118));
        assertThat(DecodingSettings.of(new EvalConfig.Generation(2, 4, 1, -1.0, 1.0, "Q: {} A:")))
                .isEqualTo(new DecodingSettings(2, 4, 1, -1.0, 1.0, "Q: {} A:"));
    }

    @Test
    void theShippedDefaultConfigurationIsMethodMd() {
        EvalConfig eval = ConfigLoader.parse("name: eval-test\nstore: {uri: 'file:///tmp/pformer-eval-test'}\n",
                "test.yaml", Path.of("/"), false).eval();
        assertThat(VqaEvaluator.Options.of(eval.vqa())).isEqualTo(VqaEvaluator.Options.defaults());
        assertThat(CaptionEvaluator.Options.of(eval.caption())).isEqualTo(CaptionEvaluator.Options.defaults());
        assertThat(RetrievalEvaluator.Options.of(eval.retrieval())).isEqualTo(RetrievalEvaluator.Options.defaults());
    }

    @Test
    void badDecodingSettingsAreRejected() {
        assertThatThrownBy(() -> new DecodingSettings(0, 10, 1, 1.0, 1.0, "")).hasMessageContaining("numBeams");
        assertThatThrownBy(() -> new DecodingSettings(1, 3, 5, 1.0, 1.0, "")).hasMessageContaining("minNewTokens");
        assertThatThrownBy(() -> DecodingSettings.nocaps().questionPrompt("q")).hasMessageContaining("{}");
        assertThatThrownBy(() -> new VqaEvaluator.Options(DecodingSettings.nocaps(), 4,
                org.pformer.metrics.vqa.VqaAccuracy.Variant.OFFICIAL)).hasMessageContaining("no {}");
    }

    @Test
    void promptsAreLeftPadded() {
        TokenBatch b = LlmPrompts.leftPadded(List.of(new int[] {2, 7, 8, 9}, new int[] {2, 5}), 1);
        assertThat(b.ids()).isDeepEqualTo(new long[][] {{2, 7, 8, 9}, {1, 1, 2, 5}});
        assertThat(b.mask()).isDeepEqualTo(new long[][] {{1, 1, 1, 1}, {0, 0, 1, 1}});
        assertThatThrownBy(() -> LlmPrompts.leftPadded(List.of(), 1)).hasMessageContaining("no prompts");
    }

    @Test
    void domainMeansListNocapsDomainsFirstAndSkipEmptyOnes() {
        Map<String, Double> scores = new java.util.LinkedHashMap<>();
        scores.put("a", 100.0);
        scores.put("b", 0.0);
        scores.put("c", 50.0);
        scores.put("d", 30.0);
        Map<String, Double> m = DomainMeans.of(scores,
                Map.of("a", "out-domain", "b", "in-domain", "c", "in-domain", "d", "other"));
        assertThat(m).containsExactly(Map.entry("in-domain", 25.0), Map.entry("out-domain", 100.0),
                Map.entry("other", 30.0));
        assertThatThrownBy(() -> DomainMeans.of(scores, Map.of("a", "in-domain"))).hasMessageContaining("item b");
    }

    @Test
    void batchLoopReportsProgressAndStopsWhenInterrupted() throws Exception {
        List<long[]> seen = new java.util.ArrayList<>();
        List<int[]> ranges = new java.util.ArrayList<>();
        Batches.run("t", 7, 3, 10, 20, (d, t) -> seen.add(new long[] {d, t}), (f, t) -> ranges.add(new int[] {f, t}));
        assertThat(ranges).containsExactly(new int[] {0, 3}, new int[] {3, 6}, new int[] {6, 7});
        assertThat(seen).containsExactly(new long[] {13, 20}, new long[] {16, 20}, new long[] {17, 20});

        List<int[]> done = new java.util.ArrayList<>();
        assertThatThrownBy(() -> Batches.run("vqa", 7, 3, 0, 7, EvalProgress.NONE, (f, t) -> {
            done.add(new int[] {f, t});
            Thread.currentThread().interrupt(); // cancelled while the first batch runs
        })).isInstanceOf(EvaluationCancelledException.class).hasMessageContaining("after 3 of 7");
        assertThat(Thread.interrupted()).isTrue();
        assertThat(done).hasSize(1);
    }
}
