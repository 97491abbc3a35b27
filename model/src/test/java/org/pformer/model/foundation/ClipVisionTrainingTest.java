package org.pformer.model.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.ManagedTest;
import org.pformer.model.bench.SyntheticShapes;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.bert.BertModel;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TrainingListener;
import org.pformer.model.vit.VitConfig;
import org.pformer.model.vit.VitModel;

/**
 * The CLIP-style vision encoder on a tiny synthetic shapes world: held-out retrieval rises far above chance, the
 * kept ViT loads through the real-weights path, and a stopped run resumes bit for bit.
 */
class ClipVisionTrainingTest extends ManagedTest {

    private static final SyntheticShapes WORLD = new SyntheticShapes(SyntheticShapes.Spec.tiny(32));

    @TempDir
    Path tmp;

    /** 32 px, 8 px patches (17 tokens), 32 wide: small enough to learn the tiny world in seconds. */
    static ClipConfig config() {
        VitConfig vision = new VitConfig(32, 8, 3, 32, 2, 4, 64, 1e-6, 0.0, 0.0, true);
        BertConfig text = new BertConfig(WORLD.textVocabSize(), 32, 1, 2, 64, 16, 2, 1e-12, 0.1, 0.1, 0, 0, false);
        return ClipConfig.defaults(vision, text, 32);
    }

    static TrainingPlan plan(long steps, int batch, int accumulation, long checkpointEvery) {
        return new TrainingPlan(17, steps, batch, accumulation, new LrSchedule(1e-3, 1e-4, 1e-5, 10, steps),
                AdamW.Hyper.DEFAULT, 1.0, checkpointEvery);
    }

    @Test
    void trainingLiftsHeldOutRetrievalFarAboveChanceAndTheViTLoadsLikeRealWeights() throws Exception {
        List<ImageTextBatch> heldOut = WORLD.heldOutPairs(99, 96, 48);
        List<StepMetrics> log = new ArrayList<>();
        ClipVisionTraining.Result result = ClipVisionTraining.train(config(), plan(150, 32, 1, 0), WORLD.pairs(1),
                heldOut, RunOptions.of(tmp, null, null), new TrainingListener() {
                    @Override
                    public void onStep(StepMetrics m) {
                        log.add(m);
                    }
                }, () -> false);
        RetrievalReport before = result.before();
        RetrievalReport after = result.after();
        System.out.println("CLIP held-out retrieval before " + before + "\nafter " + after);
        assertThat(result.completed()).isTrue();
        assertThat(result.step()).isEqualTo(150);
        assertThat(log).hasSize(150);
        assertThat(log.get(149).values()).containsKeys(ClipObjective.LOSS, "temperature", "lr", "grad_norm");
        assertThat(log.get(149).get("temperature")).isBetween(0.01, 1.0); // 1 / exp(logit_scale), clamped
        // untrained: near chance; trained: well above chance and far above the untrained model
        assertThat(before.imageToTextR1()).isLessThan(3 * before.imageToTextChanceR1());
        assertThat(after.imageToTextR1()).isGreaterThan(5 * after.imageToTextChanceR1())
                .isGreaterThan(before.imageToTextR1() + 0.3);
        assertThat(after.textToImageR1()).isGreaterThan(before.textToImageR1() + 0.3);

        // vit.safetensors: HF ViTModel names, loaded by the same path as real weights; the whole dual encoder in
        // clip.safetensors reproduces the reported retrieval exactly
        Path vitFile = tmp.resolve(ClipVisionTraining.VIT_FILE);
        assertThat(result.vit()).isEqualTo(vitFile);
        try (SafeTensors st = SafeTensors.open(vitFile)) {
            assertThat(st.tensors().keySet()).contains("embeddings.cls_token",
                    "embeddings.patch_embeddings.projection.weight", "encoder.layer.1.attention.attention.query.weight",
                    "layernorm.weight").allMatch(n -> !n.startsWith("vision_model."));
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.metadata().get("config")).contains("\"model_type\":\"vit\"", "\"patch_size\":8");
        }
        try (NDManager m = manager.newSubManager()) {
            ClipModel reloaded = new ClipModel(ParameterFactory.forLoading(m), config());
            WeightLoader.load(reloaded, tmp.resolve(ClipVisionTraining.CLIP_FILE), NameMapping.IDENTITY);
            assertThat(ClipVisionTraining.evaluate(reloaded, heldOut, m)).isEqualTo(after);
            VitModel vit = new VitModel(ParameterFactory.forLoading(m), config().vision());
            WeightLoader.Report report = WeightLoader.load(vit, vitFile, NameMapping.VIT);
            assertThat(report.loaded()).hasSize(vit.namedParameters().size());
            vit.eval();
            reloaded.eval();
            NDArray pixels = heldOut.get(0).pixelsArray(m);
            assertThat(vit.forward(pixels).toFloatArray())
                    .containsExactly(reloaded.vision().forward(pixels).toFloatArray());

            // text_encoder.safetensors: the text tower in HF BertModel names, loaded as real BERT-base weights are
            assertThat(result.textEncoder()).isEqualTo(tmp.resolve(ClipVisionTraining.TEXT_ENCODER_FILE));
            BertModel bert = new BertModel(ParameterFactory.forLoading(m), config().text());
            assertThat(WeightLoader.load(bert, result.textEncoder(), NameMapping.BERT).loaded())
                    .hasSize(bert.namedParameters().size());
            bert.eval();
            NDArray ids = heldOut.get(0).text().idsArray(m);
            NDArray mask = heldOut.get(0).text().maskArray(m);
            assertThat(bert.forward(ids, mask).toFloatArray())
                    .containsExactly(reloaded.text().forward(ids, mask).toFloatArray());
        }
    }

    @Test
    void aStoppedRunResumesFromItsCheckpointAndEndsBitIdenticalToAnUninterruptedOne() throws Exception {
        // accumulation on and text-tower dropout active, so every RNG path is exercised
        TrainingPlan plan = plan(6, 8, 2, 0);
        List<ImageTextBatch> heldOut = WORLD.heldOutPairs(99, 16, 16);
        Path straight = tmp.resolve("straight");
        List<StepMetrics> uninterrupted = new ArrayList<>();
        ClipVisionTraining.Result a = ClipVisionTraining.train(config(), plan, WORLD.pairs(1), heldOut,
                RunOptions.of(straight, null, null), recorder(uninterrupted, new ArrayList<>()), () -> false);

        Path checkpoints = Files.createDirectories(tmp.resolve("ckpt"));
        Path resumedOut = tmp.resolve("resumed");
        List<StepMetrics> resumed = new ArrayList<>();
        List<TrainingListener.CheckpointInfo> written = new ArrayList<>();
        ClipVisionTraining.Result stopped = ClipVisionTraining.train(config(), plan, WORLD.pairs(1), heldOut,
                new RunOptions(resumedOut, checkpoints, checkpoints, manager.getDevice()),
                recorder(resumed, written), () -> resumed.size() == 3);
        assertThat(stopped.completed()).isFalse();
        assertThat(stopped.step()).isEqualTo(3);
        assertThat(stopped.vit()).isNull();
        assertThat(stopped.textEncoder()).isNull();
        assertThat(stopped.before()).isEqualTo(a.before());
        assertThat(resumedOut.resolve(ClipVisionTraining.VIT_FILE)).doesNotExist();
        assertThat(written).extracting(TrainingListener.CheckpointInfo::step).containsExactly(3L);

        // a new process would see only the directory: resume from its newest checkpoint
        ClipVisionTraining.Result b = ClipVisionTraining.train(config(), plan, WORLD.pairs(1), heldOut,
                new RunOptions(resumedOut, checkpoints, checkpoints, manager.getDevice()),
                recorder(resumed, written), () -> false);
        assertThat(b.completed()).isTrue();
        assertThat(resumed).extracting(StepMetrics::step).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        for (int i = 0; i < 6; i++) {
            for (String metric : new String[] {"loss", ClipObjective.LOSS, "grad_norm", "temperature", "lr"}) {
                assertThat(resumed.get(i).get(metric)).as("step %d %s", i + 1, metric)
                        .isEqualTo(uninterrupted.get(i).get(metric));
            }
        }
        assertThat(b.vitSha256()).isEqualTo(a.vitSha256());
        assertThat(Files.readAllBytes(b.clip())).isEqualTo(Files.readAllBytes(a.clip()));
        assertThat(b.after()).isEqualTo(a.after());
    }

    @Test
    void resumingFromAMissingCheckpointFileFailsAndAnEmptyDirectoryStartsFresh() throws Exception {
        TrainingPlan plan = plan(1, 4, 1, 0);
        Path missing = tmp.resolve("nope/ckpt-00000003.safetensors");
        assertThatThrownBy(() -> ClipVisionTraining.train(config(), plan, WORLD.pairs(1), List.of(),
                RunOptions.of(tmp, null, missing), null, () -> false))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("ckpt-00000003.safetensors");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ClipVisionTraining.Result r = ClipVisionTraining.train(config(), plan, WORLD.pairs(1), List.of(),
                RunOptions.of(tmp, null, empty), null, () -> false);
        assertThat(r.completed()).isTrue();
        assertThat(r.step()).isEqualTo(1);
        assertThat(r.before()).isNull();
        assertThat(r.after()).isNull();
    }

    @Test
    void theWorldTinyPresetTrainsAStepAtTheWorldsImageSize() throws Exception {
        SyntheticShapes world = new SyntheticShapes(SyntheticShapes.Spec.full(64));
        ClipConfig preset = FoundationPresets.worldTiny().clip(64, world.textVocabSize());
        ClipVisionTraining.Result r = ClipVisionTraining.train(preset, plan(1, 4, 1, 0), world.pairs(1), List.of(),
                RunOptions.of(tmp, null, null), null, () -> false);
        try (NDManager m = manager.newSubManager()) {
            VitModel vit = new VitModel(ParameterFactory.forLoading(m), preset.vision());
            WeightLoader.load(vit, r.vit(), NameMapping.VIT);
            assertThat(vit.forward(world.batch(5, 0, 2).pixelsArray(m)).getShape().getShape())
                    .containsExactly(2, 65, FoundationPresets.worldTiny().visionWidth());
        }
        assertThat(r.lastStepMetrics()).containsKey(ClipObjective.LOSS);
    }

    static TrainingListener recorder(List<StepMetrics> steps, List<TrainingListener.CheckpointInfo> checkpoints) {
        return new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                steps.add(m);
            }

            @Override
            public void onCheckpoint(CheckpointInfo info) {
                checkpoints.add(info);
            }
        };
    }
}
