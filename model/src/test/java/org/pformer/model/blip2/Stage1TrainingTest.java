package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.ManagedTest;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.Trainer;
import org.pformer.model.train.TrainingListener;
import org.pformer.model.vit.VitModel;

/** Stage 1 on the tiny world: every loss falls, resumption is bit-exact, memory stays flat, bad wiring is refused. */
class Stage1TrainingTest extends ManagedTest {

    static final int Q = 4;

    @TempDir
    Path tmp;

    /** Models, objective and trainer from fixed seeds. */
    final class Setup implements AutoCloseable {
        final NDManager models = manager.newSubManager();
        final VitModel vit = Blip2Fixtures.frozenVit(models);
        final PFormer pformer = Blip2Fixtures.frozenPformer(models, Q);
        final Stage1Objective objective;
        final Trainer<ImageTextBatch> trainer;

        final Blip2Stage1 model;

        Setup(double omega1, Function<PFormer, PFormerTargets> targets, Trainer.Config config, TrainingListener l) {
            this(Blip2Fixtures.WORLD.qformer(Q), omega1, targets, config, l);
        }

        Setup(QFormerConfig qformer, double omega1, Function<PFormer, PFormerTargets> targets, Trainer.Config config,
                TrainingListener l) {
            model = new Blip2Stage1(ParameterFactory.random(models, 7), qformer, vit, 32);
            objective = new Stage1Objective(model, targets.apply(pformer), omega1);
            trainer = new Trainer<>(model, objective, Blip2Fixtures.WORLD.new Source(3), config, l);
        }

        @Override
        public void close() {
            trainer.close();
            models.close();
        }
    }

    static Trainer.Config config(int micro, int accumulation, long total) {
        return new Trainer.Config(2024, micro, accumulation, new LrSchedule(2e-3, 2e-4, 1e-5, 10, total),
                AdamW.Hyper.DEFAULT, 1.0);
    }

    @Test
    void everyStageOneLossFallsAndItmLearnsToTellPairsApart() {
        int steps = 400;
        try (Setup s = new Setup(Blip2Fixtures.WORLD.qformer(Q, 0.0), 10, PFormerTargets::perStep,
                new Trainer.Config(2024, 8, 1, new LrSchedule(6e-3, 6e-4, 1e-5, 10, steps), AdamW.Hyper.DEFAULT, 1.0),
                null)) {
            double[] before = itmMatchAndMismatch(s.model);
            List<StepMetrics> log = s.trainer.train(steps);
            double[] after = itmMatchAndMismatch(s.model);
            for (String loss : new String[] {"itc", "itm", "itg", "align_mse"}) {
                double first = mean(log.subList(0, 20), loss);
                double last = mean(log.subList(steps - 20, steps), loss);
                System.out.printf("stage 1 %s: %.4f -> %.4f%n", loss, first, last);
                // ITM's floor is high: captions repeat within a batch, and the negatives are the hardest ones
                double factor = switch (loss) {
                    case "itm" -> 0.85;
                    case "align_mse" -> 0.1;
                    default -> 0.6;
                };
                assertThat(last).as(loss).isLessThan(factor * first);
            }
            System.out.printf("ITM positive logit, matching vs mismatched pairs: before %.3f / %.3f, after %.3f / %.3f%n",
                    before[0], before[1], after[0], after[1]);
            assertThat(after[0] - after[1]).isGreaterThan(1.5).isGreaterThan(before[0] - before[1] + 1.5);
            assertThat(log.get(steps - 1).get("temperature")).isBetween(0.001, 0.5);
        }
    }

    /** Mean ITM positive logit of 8 matching pairs and of the same 8 images with shifted captions (eval mode). */
    private double[] itmMatchAndMismatch(Blip2Stage1 model) {
        model.eval();
        try (NDManager m = manager.newSubManager()) {
            ImageTextBatch b = Blip2Fixtures.WORLD.batch(new int[] {0, 5, 10, 15, 3, 6, 9, 12}, "");
            NDArray images = model.imageEmbeds(b.pixelsArray(m));
            NDArray ids = b.text().idsArray(m);
            NDArray mask = b.text().maskArray(m);
            NDArray shift = m.create(new long[] {1, 2, 3, 4, 5, 6, 7, 0});
            return new double[] {model.itmPositiveLogit(images, ids, mask).mean().getFloat(),
                    model.itmPositiveLogit(images, ids.get(shift), mask.get(shift)).mean().getFloat()};
        } finally {
            model.train();
        }
    }

    static double mean(List<StepMetrics> window, String name) {
        return window.stream().mapToDouble(m -> m.get(name)).average().orElseThrow();
    }

    @Test
    void resumingReproducesTheUninterruptedRunBitForBit() throws Exception {
        // accumulation, dropout in the Q-Former and in the P-Former targets, hard-negative sampling: every RNG path
        Trainer.Config tc = config(4, 2, 6);
        List<StepMetrics> uninterrupted;
        Map<String, float[]> finalParams;
        try (Setup a = new Setup(10, PFormerTargets::perStepWithDropout, tc, null)) {
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
        try (Setup b = new Setup(10, PFormerTargets::perStepWithDropout, tc, listener)) {
            resumed.addAll(b.trainer.train(3, 0, tmp, () -> false));
        }
        try (Setup c = new Setup(10, PFormerTargets::perStepWithDropout, tc, null)) {
            c.trainer.restore(written.get(0).file());
            resumed.addAll(c.trainer.train(6));
            for (int i = 0; i < 6; i++) {
                for (String k : new String[] {"loss", "itc", "itm", "itg", "align", "align_mse", "grad_norm",
                        "temperature"}) {
                    assertThat(resumed.get(i).get(k)).as("step %d %s", i + 1, k).isEqualTo(uninterrupted.get(i).get(k));
                }
            }
            Map<String, float[]> params = Blip2Fixtures.snapshot(c.model);
            assertThat(params.keySet()).isEqualTo(finalParams.keySet());
            params.forEach((name, values) -> assertThat(values).as(name).containsExactly(finalParams.get(name)));
        }
    }

    @Test
    void trainingWithCachedTargetsIsBitForBitTrainingWithPerStepTargets() {
        Trainer.Config tc = config(4, 2, 4);
        List<StepMetrics> perStep;
        Map<String, float[]> perStepParams;
        try (Setup a = new Setup(10, PFormerTargets::perStep, tc, null)) {
            perStep = a.trainer.train(4);
            perStepParams = Blip2Fixtures.snapshot(a.model);
        }
        try (Setup b = new Setup(10, p -> PFormerTargets.cached(p, PFormerTargetCache.build(p,
                PFormerTargetCacheTest.buildBatches(java.util.stream.IntStream.range(0, Blip2Fixtures.WORLD.images())
                        .toArray()).iterator(), "test", manager)), tc, null)) {
            List<StepMetrics> cached = b.trainer.train(4);
            for (int i = 0; i < 4; i++) {
                for (String k : new String[] {"loss", "itc", "itm", "itg", "align", "align_mse", "grad_norm"}) {
                    assertThat(cached.get(i).get(k)).as("step %d %s", i + 1, k).isEqualTo(perStep.get(i).get(k));
                }
            }
            assertThat(cached.get(3).get("target_cache_misses")).isZero();
            Blip2Fixtures.snapshot(b.model).forEach((name, values) -> assertThat(values).as(name)
                    .containsExactly(perStepParams.get(name)));
        }
    }

    @Test
    void stepsDoNotAccumulateArraysInLongLivedManagers() {
        try (Setup s = new Setup(10, PFormerTargets::perStep, config(4, 2, 20), null)) {
            s.trainer.train(2);
            int before = s.models.getManagedArrays().size();
            s.trainer.train(6);
            assertThat(s.models.getManagedArrays().size()).isEqualTo(before);
        }
    }

    @Test
    void inconsistentAlignmentWiringIsRefused() {
        try (NDManager m = manager.newSubManager()) {
            VitModel vit = Blip2Fixtures.frozenVit(m);
            PFormer threePrompts = Blip2Fixtures.frozenPformer(m, 3);
            Blip2Stage1 model = new Blip2Stage1(ParameterFactory.random(m, 7), Blip2Fixtures.WORLD.qformer(Q), vit, 32);
            assertThatThrownBy(() -> new Stage1Objective(model, PFormerTargets.perStep(threePrompts), 10))
                    .hasMessageContaining("4 queries but the P-Former makes 3 prompt tokens");
            assertThatThrownBy(() -> new Stage1Objective(model, null, 10)).hasMessageContaining("needs P-Former targets");
            Blip2Stage1 noAlign = new Blip2Stage1(ParameterFactory.random(m, 7), Blip2Fixtures.WORLD.qformer(Q), vit, 0);
            assertThatThrownBy(() -> new Stage1Objective(noAlign, PFormerTargets.perStep(
                    Blip2Fixtures.frozenPformer(m, Q)), 10)).hasMessageContaining("align_proj produces 0-d");
            assertThat(new Stage1Objective(noAlign, null, 0)).isNotNull(); // plain BLIP-2
            assertThatThrownBy(() -> new Stage1Objective(model, null, -1)).hasMessageContaining(">= 0");
            VitModel trainable = new VitModel(ParameterFactory.random(m, 1), Blip2Fixtures.WORLD.vit());
            assertThatThrownBy(() -> new Blip2Stage1(ParameterFactory.random(m, 7), Blip2Fixtures.WORLD.qformer(Q),
                    trainable, 0)).hasMessageContaining("must be frozen");
            PFormer unfrozen = new PFormer(ParameterFactory.random(m, 2), Blip2Fixtures.WORLD.pformer(Q));
            assertThatThrownBy(() -> PFormerTargets.perStep(unfrozen)).hasMessageContaining("must be frozen");
        }
    }
}
