package org.pformer.model.foundation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.ManagedTest;
import org.pformer.model.bench.SyntheticShapes;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.TrainingListener;

/**
 * The world's small causal LM on a synthetic corpus of descriptions and question-answer passages: held-out
 * perplexity falls sharply, the file loads through the real-weights path, and a stopped run resumes bit for bit.
 */
class LlmTrainingTest extends ManagedTest {

    private static final SyntheticShapes WORLD = new SyntheticShapes(SyntheticShapes.Spec.full(32));

    @TempDir
    Path tmp;

    static OptConfig config() {
        return new OptConfig(WORLD.llmVocabSize(), 32, 2, 2, 64, 64, 32, true, 0.1, 0.0, 1, 2);
    }

    static LmLineSource source(long seed) {
        OptConfig c = config();
        return new LmLineSource(WORLD.lmLines(seed, 2000), c.vocabSize(), c.padTokenId(), c.maxPositions(), seed);
    }

    static List<TokenBatch> heldOut(int lines) {
        OptConfig c = config();
        return LmLineSource.batches(WORLD.lmLines(12345, lines), 50, c.vocabSize(), c.padTokenId(), c.maxPositions());
    }

    static TrainingPlan plan(long steps, int batch, int accumulation) {
        return new TrainingPlan(23, steps, batch, accumulation, new LrSchedule(3e-3, 3e-4, 1e-5, 10, steps),
                AdamW.Hyper.DEFAULT, 1.0, 0);
    }

    @Test
    void trainingCutsHeldOutPerplexityAndTheFileLoadsLikeRealOptWeights() throws Exception {
        List<TokenBatch> heldOut = heldOut(100);
        LlmTraining.Result r = LlmTraining.train(config(), plan(120, 32, 1), source(3), heldOut,
                RunOptions.of(tmp, null, null), null, () -> false);
        System.out.println("LLM held-out perplexity " + r.before().perplexity() + " -> " + r.after().perplexity());
        assertThat(r.completed()).isTrue();
        // an untrained LM is about as uncertain as a uniform guess over the vocabulary
        assertThat(r.before().perplexity()).isGreaterThan(0.5 * config().vocabSize());
        assertThat(r.after().perplexity()).isLessThan(0.2 * r.before().perplexity());
        assertThat(r.after().tokens()).isEqualTo(r.before().tokens()).isPositive();

        Path file = tmp.resolve(LlmTraining.LLM_FILE);
        assertThat(r.llm()).isEqualTo(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.tensors().keySet()).contains("model.decoder.embed_tokens.weight",
                    "model.decoder.embed_positions.weight", "model.decoder.layers.1.fc2.weight",
                    "model.decoder.final_layer_norm.weight").doesNotContain("lm_head.weight");
            assertThat(st.metadata().get("config")).contains("\"model_type\":\"opt\"",
                    "\"vocab_size\":" + config().vocabSize(), "\"tie_word_embeddings\":true");
        }
        try (NDManager m = manager.newSubManager()) {
            OptForCausalLM lm = new OptForCausalLM(ParameterFactory.forLoading(m), config());
            WeightLoader.load(lm, file, NameMapping.OPT);
            assertThat(LlmTraining.evaluate(lm, heldOut, m)).isEqualTo(r.after());
        }
    }

    @Test
    void aStoppedRunResumesFromItsCheckpointAndEndsBitIdenticalToAnUninterruptedOne() throws Exception {
        TrainingPlan plan = plan(6, 8, 2);
        List<TokenBatch> heldOut = heldOut(20);
        List<StepMetrics> uninterrupted = new ArrayList<>();
        LlmTraining.Result a = LlmTraining.train(config(), plan, source(3), heldOut,
                RunOptions.of(tmp.resolve("straight"), null, null),
                ClipVisionTrainingTest.recorder(uninterrupted, new ArrayList<>()), () -> false);

        Path checkpoints = tmp.resolve("ckpt");
        List<StepMetrics> resumed = new ArrayList<>();
        List<TrainingListener.CheckpointInfo> written = new ArrayList<>();
        TrainingListener listener = ClipVisionTrainingTest.recorder(resumed, written);
        LlmTraining.Result stopped = LlmTraining.train(config(), plan, source(3), heldOut,
                RunOptions.of(tmp.resolve("resumed"), checkpoints, null), listener, () -> resumed.size() == 4);
        assertThat(stopped.completed()).isFalse();
        assertThat(stopped.llm()).isNull();
        assertThat(written).hasSize(1);
        LlmTraining.Result b = LlmTraining.train(config(), plan, source(3), heldOut,
                RunOptions.of(tmp.resolve("resumed"), checkpoints, written.get(0).file()), listener, () -> false);
        assertThat(b.completed()).isTrue();
        assertThat(resumed).extracting(StepMetrics::step).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        for (int i = 0; i < 6; i++) {
            assertThat(resumed.get(i).get("lm")).as("step %d", i + 1).isEqualTo(uninterrupted.get(i).get("lm"));
            assertThat(resumed.get(i).get("grad_norm")).isEqualTo(uninterrupted.get(i).get("grad_norm"));
        }
        assertThat(b.llmSha256()).isEqualTo(a.llmSha256());
        assertThat(Files.readAllBytes(b.llm())).isEqualTo(Files.readAllBytes(a.llm()));
        assertThat(b.after()).isEqualTo(a.after());
    }
}
