package org.pformer.model.pformer;

import org.pformer.model.train.TokenBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.CausalLmObjective;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.Trainer;
import org.pformer.model.train.TrainingListener;

/** A tiny P-Former trained on a miniature of the benchmark grammar: losses fall, resume is bit-exact. */
class PFormerTrainingTest extends ManagedTest {

    private static final TinySentenceWorld WORLD = new TinySentenceWorld();

    
    @TempDir
    Path tmp;

    /** A P-Former, a frozen random OPT, the objective and a trainer, all from fixed seeds. */
    private final class Setup implements AutoCloseable {
        final NDManager models = manager.newSubManager();
        final PFormer pformer;
        final OptForCausalLM llm;
        final PFormerObjective objective;
        final TinySentenceWorld.Source source;
        final Trainer<SentenceBatch> trainer;

        Setup(PFormerConfig config, Trainer.Config trainerConfig, TrainingListener listener) {
            pformer = new PFormer(ParameterFactory.random(models, 11), config);
            llm = pretrainedLlm(models);
            llm.freeze();
            objective = new PFormerObjective(pformer, llm, models);
            source = WORLD.new Source(5);
            trainer = new Trainer<>(pformer, objective, source, trainerConfig, listener);
        }

        @Override
        public void close() {
            trainer.close();
            objective.close();
            models.close();
        }
    }

    /**
     * The world's small LLM, trained briefly on the sentences (as the benchmark's LLM is) so that L_lm has
     * something to steer; trained once and reused.
     */
    private static OptForCausalLM pretrainedLlm(NDManager models) {
        OptForCausalLM llm = new OptForCausalLM(ParameterFactory.random(models, 12), OptConfig.tiny(WORLD.llmVocab()));
        synchronized (PFormerTrainingTest.class) {
            if (llmWeights == null) {
                try (NDManager scratch = models.newSubManager()) {
                    OptForCausalLM fresh = new OptForCausalLM(ParameterFactory.random(scratch, 12),
                            OptConfig.tiny(WORLD.llmVocab()));
                    try (Trainer<TokenBatch> t = new Trainer<>(fresh, new CausalLmObjective(fresh),
                            WORLD.llmPairSource(3), new Trainer.Config(1, 32, 1, new LrSchedule(3e-3, 3e-4, 1e-5, 10, 300),
                                    AdamW.Hyper.DEFAULT, 1.0), null)) {
                        List<StepMetrics> log = t.train(300);
                        System.out.println("LLM pretraining " + log.get(0).get("lm") + " -> " + log.get(299).get("lm"));
                        assertThat(log.get(299).get("lm")).isLessThan(0.5 * log.get(0).get("lm"));
                    }
                    llmWeights = snapshot(fresh);
                }
            }
        }
        llm.namedParameters().forEach((n, p) -> p.replace(models.create(llmWeights.get(n), p.shape())));
        return llm;
    }

    private static Map<String, float[]> llmWeights;

    private static PFormerConfig config() {
        BertConfig encoder = new BertConfig(WORLD.encoderVocab(), 64, 2, 4, 128, 16, 2, 1e-12, 0.1, 0.1, 0, 0, false);
        return PFormerConfig.defaults(encoder, 64, TinySentenceWorld.MASK_ID).withNumQueries(8);
    }

    private static Trainer.Config trainerConfig(int micro, int accumulation, long total) {
        return new Trainer.Config(2024, micro, accumulation, new LrSchedule(1e-3, 1e-4, 1e-5, 5, total),
                AdamW.Hyper.DEFAULT, 1.0);
    }

    @Test
    void allThreeLossesFallAndParaphrasesMoveCloser() {
        List<String> probeText = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            for (int s = 0; s < 3; s++) {
                for (int t = 0; t < TinySentenceWorld.TEMPLATES.length; t++) {
                    probeText.add(TinySentenceWorld.sentence(t, c, s));
                    groups.add(c * 3 + s);
                }
            }
        }
        TokenBatch probe = WORLD.encode(probeText);
        int[] groupIds = groups.stream().mapToInt(Integer::intValue).toArray();
        int steps = 400;
        try (Setup s = new Setup(config(), trainerConfig(16, 1, steps), null)) {
            SentenceSimilarity.Report before = SentenceSimilarity.evaluate(s.pformer, probe, groupIds, manager);
            List<StepMetrics> log = s.trainer.train(steps);
            SentenceSimilarity.Report after = SentenceSimilarity.evaluate(s.pformer, probe, groupIds, manager);
            for (String loss : new String[] {"lm", "contrast", "vocab"}) {
                double first = mean(log.subList(0, 10), loss);
                double last = mean(log.subList(steps - 10, steps), loss);
                System.out.printf("%s: %.4f -> %.4f%n", loss, first, last);
                assertThat(last).as(loss).isLessThan(0.7 * first);
            }
            System.out.println("similarity before " + before + " after " + after);
            // paraphrases end up closer than unrelated sentences, and a sentence's nearest neighbour is a
            // paraphrase more often than chance (4 paraphrases among 44 others) and than before training
            assertThat(after.margin()).isGreaterThan(0);
            double chance = (TinySentenceWorld.TEMPLATES.length - 1.0) / (probeText.size() - 1);
            assertThat(after.nearestIsParaphrase()).isGreaterThan(chance).isGreaterThan(before.nearestIsParaphrase());
        }
    }

    private static double mean(List<StepMetrics> window, String name) {
        return window.stream().mapToDouble(m -> m.get(name)).average().orElseThrow();
    }

    @Test
    void resumingFromACheckpointReproducesTheUninterruptedRunBitForBit() throws Exception {
        // accumulation and [MASK] corruption on, so every RNG path is exercised
        PFormerConfig config = config().withMaskProbability(0.25);
        Trainer.Config tc = trainerConfig(4, 2, 6);
        List<StepMetrics> uninterrupted;
        Map<String, float[]> finalParams;
        try (Setup a = new Setup(config, tc, null)) {
            uninterrupted = a.trainer.train(6);
            finalParams = snapshot(a.pformer);
        }
        List<StepMetrics> resumed = new ArrayList<>();
        Path dir = tmp.resolve("ckpt");
        List<TrainingListener.CheckpointInfo> written = new ArrayList<>();
        List<StepMetrics> heard = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(StepMetrics metrics) {
                heard.add(metrics);
            }

            @Override
            public void onCheckpoint(CheckpointInfo info) {
                written.add(info);
            }
        };
        try (Setup b = new Setup(config, tc, listener)) {
            resumed.addAll(b.trainer.train(3, 0, dir, () -> false));
        }
        assertThat(written).hasSize(1);
        assertThat(heard).extracting(StepMetrics::step).containsExactly(1L, 2L, 3L);
        assertThat(heard.get(2).values()).containsKeys("loss", "lm", "contrast", "vocab", "lr", "grad_norm",
                "temperature", "step_time_s", "examples_per_s");
        Path checkpoint = written.get(0).file();
        assertThat(checkpoint).exists().hasFileName("ckpt-00000003.safetensors");
        assertThat(Files.readString(checkpoint.resolveSibling(checkpoint.getFileName() + ".sha256")))
                .startsWith(written.get(0).sha256());
        try (Setup c = new Setup(config, tc, null)) {
            c.trainer.restore(checkpoint);
            assertThat(c.trainer.currentStep()).isEqualTo(3);
            resumed.addAll(c.trainer.train(6));
            for (int i = 0; i < 6; i++) {
                for (String loss : new String[] {"loss", "lm", "contrast", "vocab", "grad_norm", "temperature"}) {
                    assertThat(resumed.get(i).get(loss)).as("step %d %s", i + 1, loss)
                            .isEqualTo(uninterrupted.get(i).get(loss));
                }
            }
            Map<String, float[]> params = snapshot(c.pformer);
            assertThat(params.keySet()).isEqualTo(finalParams.keySet());
            params.forEach((name, values) -> assertThat(values).as(name).containsExactly(finalParams.get(name)));
        }
    }

    /**
     * A worker trains on its activity threads, fresh threads in which libtorch records autograd: the optimizer's
     * in-place update of a leaf parameter failed there ("a leaf Variable that requires grad is being used in an
     * in-place operation"). Training on such a thread gives the same losses as here, and leaves its mode as found.
     */
    @Test
    void trainingOnAThreadWithAutogradOnMatchesTrainingHere() throws Exception {
        List<StepMetrics> here;
        try (Setup s = new Setup(config(), trainerConfig(4, 1, 3), null)) {
            here = s.trainer.train(3);
        }
        AtomicReference<List<StepMetrics>> there = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> modeAfter = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            JniUtils.setGradMode(true);
            try (Setup s = new Setup(config(), trainerConfig(4, 1, 3), null)) {
                there.set(s.trainer.train(3));
            } catch (Throwable t) {
                failure.set(t);
            }
            modeAfter.set(JniUtils.isGradMode());
        });
        worker.start();
        worker.join();
        assertThat(failure.get()).isNull();
        assertThat(modeAfter.get()).as("the thread's grad mode after training").isTrue();
        for (int i = 0; i < 3; i++) {
            for (String k : List.of("lm", "contrast", "vocab", "loss", "grad_norm")) {
                assertThat(there.get().get(i).values().get(k)).as(k + " at step " + (i + 1))
                        .isEqualTo(here.get(i).values().get(k));
            }
        }
    }

    @Test
    void restoreRefusesACheckpointOfAnotherRun() throws Exception {
        Trainer.Config tc = trainerConfig(4, 1, 4);
        Path file;
        try (Setup a = new Setup(config(), tc, null)) {
            a.trainer.train(1);
            file = a.trainer.saveCheckpoint(tmp).file();
        }
        Trainer.Config otherSeed = new Trainer.Config(7, 4, 1, tc.schedule(), tc.adam(), tc.maxGradNorm());
        try (Setup b = new Setup(config(), otherSeed, null)) {
            assertThatThrownBy(() -> b.trainer.restore(file)).hasMessageContaining("written with seed 2024");
        }
        try (Setup c = new Setup(config().withNumQueries(4), tc, null)) {
            assertThatThrownBy(() -> c.trainer.restore(file)).hasMessageContaining("'cls_proj.weight' has shape");
        }
    }

    @Test
    void stepsDoNotAccumulateArraysInLongLivedManagers() {
        try (Setup s = new Setup(config(), trainerConfig(4, 2, 20), null)) {
            s.trainer.train(2);
            int before = s.models.getManagedArrays().size();
            s.trainer.train(8);
            assertThat(s.models.getManagedArrays().size()).isEqualTo(before);
        }
    }

    private static Map<String, float[]> snapshot(org.pformer.model.nn.Module pformer) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : pformer.namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().array().toFloatArray());
        }
        return out;
    }
}
