package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.ManagedTest;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.generate.GenerationConfig;
import org.pformer.model.generate.Generated;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.Trainer;
import org.pformer.model.train.TrainingListener;
import org.pformer.model.vit.VitModel;

/**
 * Stage 2 on the tiny world: L_lm and L_align fall, a handful of pairs is captioned exactly after training,
 * resumption is bit-exact, the text prompt is excluded from the loss.
 */
class Stage2TrainingTest extends ManagedTest {

    static final int Q = 4;
    static final TinyImageTextWorld W = Blip2Fixtures.WORLD;

    @TempDir
    Path tmp;

    final class Setup implements AutoCloseable {
        final NDManager models = manager.newSubManager();
        final VitModel vit = Blip2Fixtures.frozenVit(models);
        final OptForCausalLM llm = Blip2Fixtures.frozenLlm(models);
        final PFormer pformer = Blip2Fixtures.frozenPformer(models, Q);
        final Blip2Stage2 model;
        final Trainer<ImageTextBatch> trainer;

        Setup(QFormerConfig qformer, double omega2, boolean cached, TinyImageTextWorld.Source source, long[] promptIds,
                Trainer.Config config, TrainingListener listener) {
            model = new Blip2Stage2(ParameterFactory.random(models, 8), qformer, vit, llm);
            PFormerTargets targets = cached
                    ? PFormerTargets.cached(pformer, PFormerTargetCache.build(pformer, epoch(), "test", models))
                    : PFormerTargets.perStep(pformer);
            trainer = new Trainer<>(model, new Stage2Objective(model, targets, omega2, promptIds), source, config,
                    listener);
        }

        @Override
        public void close() {
            trainer.close();
            models.close();
        }
    }

    /** One pass over every image of the world, in batches of 5. */
    static java.util.Iterator<ImageTextBatch> epoch() {
        TinyImageTextWorld.Source s = W.new Source(99);
        List<ImageTextBatch> out = new ArrayList<>();
        for (int i = 0; i < W.images(); i += 5) {
            out.add(s.next(Math.min(5, W.images() - i)));
        }
        return out.iterator();
    }

    static Trainer.Config config(int micro, int accumulation, double lr, long total) {
        return new Trainer.Config(77, micro, accumulation, new LrSchedule(lr, lr / 10, 1e-5, 10, total),
                AdamW.Hyper.DEFAULT, 1.0);
    }

    @Test
    void lmAndAlignmentLossesFall() {
        int steps = 120;
        try (Setup s = new Setup(W.qformer(Q, 0.0), 100, true, W.new Source(4), new long[0],
                config(8, 1, 3e-3, steps), null)) {
            List<StepMetrics> log = s.trainer.train(steps);
            for (String loss : new String[] {"lm", "align_mse"}) {
                double first = Stage1TrainingTest.mean(log.subList(0, 10), loss);
                double last = Stage1TrainingTest.mean(log.subList(steps - 10, steps), loss);
                System.out.printf("stage 2 %s: %.4f -> %.4f%n", loss, first, last);
                assertThat(last).as(loss).isLessThan((loss.equals("lm") ? 0.5 : 0.1) * first);
            }
            assertThat(log.get(steps - 1).get("target_cache_misses")).isZero();
        }
    }

    @Test
    void aHandfulOfPairsIsCaptionedExactlyAfterTraining() {
        int[] pairs = {0, 5, 10, 15};
        int steps = 80;
        try (Setup s = new Setup(W.qformer(Q, 0.0), 0, false, W.new Source(6, pairs, ""), new long[0],
                config(4, 1, 5e-3, steps), null)) {
            List<StepMetrics> log = s.trainer.train(steps);
            System.out.printf("overfit lm: %.4f -> %.4f%n", log.get(0).get("lm"), log.get(steps - 1).get("lm"));
            try (NDManager m = manager.newSubManager()) {
                ImageTextBatch batch = W.batch(pairs, "");
                TokenBatch bos = new TokenBatch(new long[][] {{2}, {2}, {2}, {2}}, new long[][] {{1}, {1}, {1}, {1}});
                for (GenerationConfig g : new GenerationConfig[] {GenerationConfig.greedy(8, TinyImageTextWorld.LLM_EOS),
                        GenerationConfig.beams(3, 8, 1, 1.0, 1.0, TinyImageTextWorld.LLM_EOS)}) {
                    List<Generated> out = s.model.generate(batch.pixelsArray(m), bos, g);
                    for (int i = 0; i < pairs.length; i++) {
                        assertThat(W.decodeLlm(out.get(i).tokens())).as("%s, image %d", g, pairs[i])
                                .isEqualTo(TinyImageTextWorld.caption(pairs[i]));
                        assertThat(out.get(i).finished()).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void resumingReproducesTheUninterruptedRunBitForBit() throws Exception {
        Trainer.Config tc = config(4, 2, 3e-3, 6);
        List<StepMetrics> uninterrupted;
        Map<String, float[]> finalParams;
        try (Setup a = new Setup(W.qformer(Q), 100, true, W.new Source(4), new long[0], tc, null)) {
            uninterrupted = a.trainer.train(6);
            finalParams = Blip2Fixtures.snapshot(a.model);
        }
        List<TrainingListener.CheckpointInfo> written = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onCheckpoint(CheckpointInfo info) {
                written.add(info);
            }
        };
        List<StepMetrics> resumed = new ArrayList<>();
        try (Setup b = new Setup(W.qformer(Q), 100, true, W.new Source(4), new long[0], tc, listener)) {
            resumed.addAll(b.trainer.train(3, 0, tmp, () -> false));
        }
        try (Setup c = new Setup(W.qformer(Q), 100, true, W.new Source(4), new long[0], tc, null)) {
            c.trainer.restore(written.get(0).file());
            resumed.addAll(c.trainer.train(6));
            for (int i = 0; i < 6; i++) {
                for (String k : new String[] {"loss", "lm", "align", "align_mse", "grad_norm"}) {
                    assertThat(resumed.get(i).get(k)).as("step %d %s", i + 1, k).isEqualTo(uninterrupted.get(i).get(k));
                }
            }
            Map<String, float[]> params = Blip2Fixtures.snapshot(c.model);
            assertThat(params.keySet()).isEqualTo(finalParams.keySet());
            params.forEach((name, values) -> assertThat(values).as(name).containsExactly(finalParams.get(name)));
        }
    }

    @Test
    void theTextPromptIsReadButNotPredicted() {
        long[] prompt = TinyImageTextWorld.concat(new long[] {2}, W.llmWords("a photo of"));
        try (Setup s = new Setup(W.qformer(Q), 0, false, W.new Source(4, new int[] {0, 1, 2, 3}, "a photo of"),
                prompt, config(4, 1, 1e-3, 5), null); NDManager m = manager.newSubManager()) {
            ImageTextBatch batch = W.batch(new int[] {0, 1}, "a photo of");
            s.model.eval();
            NDArray soft = s.model.softPrompt(s.model.imageEmbeds(batch.pixelsArray(m)));
            NDArray ids = batch.llm().idsArray(m);
            NDArray mask = batch.llm().maskArray(m);
            // by hand: labels -100 on the soft prompt, BOS and the 3 prompt words; the caption and "\n" are targets
            NDArray logits = s.llm.forwardEmbeds(soft.concat(s.llm.embed(ids), 1),
                    m.ones(new ai.djl.ndarray.types.Shape(2, Q), ai.djl.ndarray.types.DataType.INT64)
                            .concat(mask, 1)).logits();
            long[][] labels = new long[2][Q + batch.llm().length()];
            for (int i = 0; i < 2; i++) {
                java.util.Arrays.fill(labels[i], -100);
                for (int j = prompt.length; j < batch.llm().length(); j++) {
                    labels[i][Q + j] = batch.llm().mask()[i][j] == 1 ? batch.llm().ids()[i][j] : -100;
                }
            }
            float expected = org.pformer.model.nn.Functional.nextTokenLoss(logits, m.create(labels)).getFloat();
            float actual = org.pformer.model.pformer.PFormerLosses.lmLoss(s.llm, soft, ids, mask, prompt.length)
                    .getFloat();
            assertThat(actual).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5f));
            s.trainer.train(2); // the objective accepts batches that start with the prompt

            Stage2Objective wrongPrompt = new Stage2Objective(s.model, null, 0, new long[] {2, 9, 9});
            assertThatThrownBy(() -> wrongPrompt.losses(batch,
                    new org.pformer.model.train.Objective.Context(m, new java.util.SplittableRandom(1), 0, 0)))
                    .hasMessageContaining("do not start with the text prompt [2, 9, 9]");
        }
    }
}
