package org.pformer.activities.stages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.StageActivities.FoundationActivities;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.PipelineConfig;
import org.pformer.config.WorldConfig;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.datasets.world.WorldGenerator;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.datasets.world.WorldSpec;
import org.pformer.model.data.LmLines;
import org.pformer.model.data.PairBatchSource;
import org.pformer.model.foundation.ClipVisionTraining;
import org.pformer.model.foundation.FoundationPresets;
import org.pformer.model.foundation.LlmTraining;
import org.pformer.model.foundation.LmLineSource;
import org.pformer.model.foundation.RunOptions;
import org.pformer.model.foundation.TrainingPlan;
import org.pformer.store.ArtifactRef;

/**
 * The shipped world's foundation (BENCHMARK.md): generates the world, then trains its frozen backbones — the
 * CLIP-style ViT on the "web" image-caption set (EVA-CLIP's stand-in) and the causal LM on the sentence corpus
 * plus the question-answer passages (OPT's stand-in). Each trained model is filed under the stage key as soon as
 * it is done, so a retried attempt skips it; inside a training the usual checkpoints apply.
 */
public final class FoundationActivitiesImpl implements FoundationActivities {

    /** Pairs of the paired set used as the ViT's held-out retrieval check (never seen by the CLIP training). */
    private static final int HELD_OUT_PAIRS = 128;
    /** Every this many corpus lines, one is held out for the LLM's perplexity. */
    private static final int HELD_OUT_EVERY = 20;

    private final StageExecutor executor;

    public FoundationActivitiesImpl(StageExecutor executor) {
        this.executor = executor;
    }

    @Override
    public StageResult buildFoundation(StageRequest request) {
        return executor.execute(request, this::run);
    }

    private StageResult run(StageRun run) throws IOException {
        PipelineConfig config = run.request().config();
        if (!config.usesWorld()) {
            throw new StageExecutor.InvalidStageConfig("the foundation stage builds the shipped world; data.source is "
                    + config.data().source());
        }
        WorldConfig w = config.world();
        Path worldDir = run.workDir().resolve("world");
        WorldManifest world = WorldGenerator.generate(new WorldSpec(w.size(), w.seed(), w.imageSize()), worldDir);
        ArtifactRef worldRef = run.store().find(run.key("world/_directory.json"))
                .orElseGet(() -> run.putDirectory("world", worldDir));
        Backbones backbones = Backbones.ofWorld(config, worldDir, world);
        FoundationPresets.Preset visionPreset = FoundationPresets.byName(config.models().vision().preset());
        FoundationPresets.Preset llmPreset = FoundationPresets.byName(config.models().llm().preset());

        Optional<StageRun.Restored> restored = run.restore();
        Map<String, Double> metrics = new TreeMap<>();
        Map<String, ArtifactRef> artifacts = new TreeMap<>();
        artifacts.put(Backbones.WORLD, worldRef);
        metrics.put("world.pretrain_pairs", (double) world.counts().pairImages() * world.counts().captionsPerPair());
        metrics.put("world.sentences", (double) world.counts().sentences());

        try (PFormerTokenizer text = PFormerTokenizer.load(backbones.textTokenizer(), PFormerTokenizer.MAX_TEXT_TOKENS);
             LlmTokenizer llmTok = LlmTokenizer.load(backbones.llmTokenizer(), llmPreset.llmPositions())) {
            // phase 1: the vision encoder
            List<CaptionPair> web = CaptionPair.read(worldDir.resolve(world.datasets().webPairs().annotations()));
            Path webImages = worldDir.resolve(world.datasets().webPairs().images());
            List<CaptionPair> paired = CaptionPair.read(worldDir.resolve(world.datasets().pretrainPairs().annotations()));
            Path pairedImages = worldDir.resolve(world.datasets().pretrainPairs().images());
            ImagePreprocessor pre = new ImagePreprocessor(ImagePreprocessor.Options.world(w.imageSize()));
            TrainingPlan visionPlan = TrainingPlan.from(config.foundation().vision(), config.seed(), web.size());
            List<long[]> lines = LmLines.fromFiles(paths(worldDir, world.datasets().sentences(),
                    world.datasets().qaPassages()), llmTok, Integer.MAX_VALUE);
            List<long[]> train = new ArrayList<>();
            List<long[]> heldOut = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                (i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 ? heldOut : train).add(lines.get(i));
            }
            TrainingPlan llmPlan = TrainingPlan.from(config.foundation().llm(), config.seed(), train.size());
            long total = visionPlan.steps() + llmPlan.steps();

            ArtifactRef vision = run.store().find(run.key("out/" + ClipVisionTraining.VIT_FILE)).orElse(null);
            ArtifactRef textEncoder = run.store().find(run.key("out/" + ClipVisionTraining.TEXT_ENCODER_FILE))
                    .orElse(null);
            if (vision == null || textEncoder == null) {
                TrainingBridge bridge = new TrainingBridge(run, config.foundation().vision().logEvery(), "vision", 0,
                        total).resumedFrom(restored);
                Path out = Files.createDirectories(run.workDir().resolve("vision-out"));
                RunOptions options = new RunOptions(out, Files.createDirectories(run.workDir().resolve("vision-ckpt")),
                        TrainingBridge.checkpointIn(restored, "vision").orElse(null), StageEnvironment.device(run.request()));
                PairBatchSource source = new PairBatchSource(web, webImages, pre, false, text, null, config.seed());
                ClipVisionTraining.Result r = ClipVisionTraining.train(visionPreset.clip(w.imageSize(), text.vocabSize()),
                        visionPlan, source, PairBatchSource.evalBatches(paired.subList(0, Math.min(HELD_OUT_PAIRS,
                                paired.size())), pairedImages, pre, text, null, 32), options, bridge, bridge);
                bridge.rethrowIfCancelled();
                if (!r.completed()) {
                    throw new IllegalStateException("vision training stopped at step " + r.step() + " without a request");
                }
                if (r.before() != null) {
                    metrics.putAll(r.before().asMetrics("vision.before."));
                    metrics.putAll(r.after().asMetrics("vision.after."));
                }
                bridge.lastMetrics().forEach((k, v) -> metrics.put("vision." + k, v));
                // the text tower is kept too: the world's pre-trained text encoder (BERT-base's stand-in)
                textEncoder = run.putFile("out/" + ClipVisionTraining.TEXT_ENCODER_FILE, r.textEncoder());
                vision = run.putFile("out/" + ClipVisionTraining.VIT_FILE, r.vit());
                run.putBytes("out/vision-metrics.json", json(metrics));
            } else {
                metrics.putAll(readMetrics(run, "out/vision-metrics.json"));
            }
            artifacts.put(Backbones.VISION, vision);
            artifacts.put(Backbones.TEXT_ENCODER, textEncoder);

            // phase 2: the LLM
            TrainingBridge bridge = new TrainingBridge(run, config.foundation().llm().logEvery(), "llm",
                    visionPlan.steps(), total).resumedFrom(restored);
            Path out = Files.createDirectories(run.workDir().resolve("llm-out"));
            RunOptions options = new RunOptions(out, Files.createDirectories(run.workDir().resolve("llm-ckpt")),
                    TrainingBridge.checkpointIn(restored, "llm").orElse(null), StageEnvironment.device(run.request()));
            int vocab = llmTok.vocabSize();
            LlmTraining.Result r = LlmTraining.train(llmPreset.llm(vocab), llmPlan,
                    new LmLineSource(train, vocab, llmTok.padId(), llmPreset.llmPositions(), config.seed()),
                    LmLineSource.batches(heldOut, 64, vocab, llmTok.padId(), llmPreset.llmPositions()), options,
                    bridge, bridge);
            bridge.rethrowIfCancelled();
            if (!r.completed()) {
                throw new IllegalStateException("LLM training stopped at step " + r.step() + " without a request");
            }
            if (r.before() != null) {
                metrics.putAll(r.before().asMetrics("llm.before."));
                metrics.putAll(r.after().asMetrics("llm.after."));
            }
            bridge.lastMetrics().forEach((k, v) -> metrics.put("llm." + k, v));
            artifacts.put(Backbones.LLM, run.putFile("out/" + LlmTraining.LLM_FILE, r.llm()));
            artifacts.forEach((name, ref) -> run.logArtifact("foundation/" + name, ref));
            return run.finish(artifacts, metrics, total);
        }
    }

    private static List<Path> paths(Path root, List<String> a, List<String> b) {
        List<Path> out = new ArrayList<>();
        a.forEach(p -> out.add(root.resolve(p)));
        b.forEach(p -> out.add(root.resolve(p)));
        return out;
    }

    static byte[] json(Map<String, Double> metrics) throws IOException {
        return StageJson.MAPPER.writeValueAsBytes(new TreeMap<>(metrics));
    }

    static Map<String, Double> readMetrics(StageRun run, String name) throws IOException {
        Optional<ArtifactRef> ref = run.store().find(run.key(name));
        if (ref.isEmpty()) {
            return Map.of();
        }
        return StageJson.MAPPER.readValue(run.store().readBytes(ref.get()),
                new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, Double>>() {});
    }
}
