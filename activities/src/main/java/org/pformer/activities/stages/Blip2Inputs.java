package org.pformer.activities.stages;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.StageResult;
import org.pformer.config.DataConfig;
import org.pformer.config.ModelsConfig;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.blip2.PFormerTargetCache;
import org.pformer.model.blip2.PFormerTargets;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.pformer.PFormer;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;

/**
 * What BLIP-2 stages 1 and 2 and the evaluations share: the image-text pairs, the image preprocessing, the
 * Q-Former's architecture, and the frozen P-Former's alignment targets (with the per-caption target cache).
 */
final class Blip2Inputs {

    private Blip2Inputs() {}

    /**
     * The pretraining pairs: the world's paired set, or every {@code data.pairs} list with its image root (image
     * paths made absolute, so several datasets mix in one source).
     */
    static List<CaptionPair> pairs(PipelineConfig config, Backbones backbones) throws IOException {
        if (backbones.isWorld()) {
            var a = backbones.world().datasets().pretrainPairs();
            return absolute(CaptionPair.read(backbones.worldPath(a.annotations())), backbones.worldPath(a.images()));
        }
        List<CaptionPair> out = new ArrayList<>();
        for (DataConfig.ImageAnnotations a : config.data().pairs()) {
            out.addAll(absolute(CaptionPair.read(Path.of(a.annotations())), Path.of(a.images())));
        }
        return out;
    }

    private static List<CaptionPair> absolute(List<CaptionPair> pairs, Path imageRoot) {
        Path root = imageRoot.toAbsolutePath();
        return pairs.stream().map(p -> new CaptionPair(root.resolve(p.image()).toString(), p.caption(), p.imageId()))
                .toList();
    }

    /** Image preprocessing: the world's (no flips: its captions state left/right) or BLIP-2's (224 px). */
    static ImagePreprocessor preprocessor(PipelineConfig config, Backbones backbones) {
        return new ImagePreprocessor(backbones.isWorld()
                ? ImagePreprocessor.Options.world(config.world().imageSize())
                : ImagePreprocessor.Options.lavisBlip2(backbones.visionConfig().imageSize()));
    }

    /** The Q-Former: BERT-base with [DEC] for real runs, the world's text-encoder size otherwise. */
    static QFormerConfig qformerConfig(PipelineConfig config, Backbones backbones, PFormerTokenizer text,
            int visionWidth) {
        ModelsConfig.QFormer q = config.models().qformer();
        if (config.models().textEncoder().preset().toLowerCase(Locale.ROOT).equals("bert-base")) {
            return QFormerConfig.bertBase(visionWidth, q.numQuery(), q.crossAttentionFreq());
        }
        return QFormerConfig.defaults(backbones.textEncoderConfig(text.vocabSize())
                .withQueryCrossAttention(q.crossAttentionFreq(), visionWidth), q.numQuery(), text.decId());
    }

    /**
     * The frozen P-Former's targets for ω &gt; 0, or null for ω = 0. With {@code cached}, the [CLS] state of every
     * training caption is computed once and kept in the store under the P-Former's digest, so every stage and every
     * ablation cell that aligns to the same P-Former on the same captions reuses it (METHOD.md, cost note).
     */
    static PFormerTargets targets(StageRun run, Backbones backbones, LocalArtifacts artifacts, double omega,
            boolean cached, boolean dropout, PFormerTokenizer text, int llmHidden, List<CaptionPair> pairs,
            NDManager manager) throws IOException {
        if (omega == 0) {
            return null;
        }
        StageResult upstream = run.request().upstream(StageName.PFORMER);
        ArtifactRef weights = upstream.artifact(PFormerActivitiesImpl.WEIGHTS);
        PFormer pformer = new PFormer(org.pformer.model.nn.ParameterFactory.forLoading(manager),
                backbones.pformerConfig(text.vocabSize(), text.maskId(), llmHidden));
        WeightLoader.load(pformer, artifacts.file(weights), NameMapping.IDENTITY);
        pformer.freeze();
        pformer.eval();
        if (dropout) {
            return PFormerTargets.perStepWithDropout(pformer);
        }
        if (!cached) {
            return PFormerTargets.perStep(pformer);
        }
        // the training batches carry LAVIS-cleaned captions (PairBatchSource): the cache is keyed the same way
        org.pformer.datasets.text.BlipCaptionCleaner cleaner = new org.pformer.datasets.text.BlipCaptionCleaner();
        List<String> captions = pairs.stream().map(p -> cleaner.clean(p.caption())).distinct().sorted().toList();
        String fingerprint = org.pformer.store.Digests.sha256Hex((weights.sha256() + "\n" + text.sha256() + "\n"
                + text.maxLength() + "\n" + String.join("\n", captions)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ArtifactStore store = run.store();
        String key = "target-caches/" + fingerprint + ".safetensors";
        Optional<ArtifactRef> stored = store.find(key);
        PFormerTargetCache cache = null;
        if (stored.isPresent()) {
            try {
                cache = PFormerTargetCache.load(artifacts.file(stored.get()), fingerprint);
            } catch (IOException | RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Blip2Inputs.class).warn("target cache {} unusable ({}); rebuilding",
                        stored.get().uri(), e.getMessage());
            }
        }
        if (cache == null) {
            cache = PFormerTargetCache.build(pformer, captionBatches(captions, text, 64), fingerprint, manager);
            Path file = run.workDir().resolve("target-cache.safetensors");
            Files.createDirectories(file.getParent());
            cache.save(file);
            store.put(key, file);
        }
        return PFormerTargets.cached(pformer, cache);
    }

    /**
     * Caption-only batches for the target cache: the P-Former reads only the text, so the images are 1-pixel
     * placeholders rather than decoded files.
     */
    private static Iterator<ImageTextBatch> captionBatches(List<String> captions, PFormerTokenizer text, int size) {
        return new Iterator<>() {
            int next = 0;

            @Override
            public boolean hasNext() {
                return next < captions.size();
            }

            @Override
            public ImageTextBatch next() {
                List<String> part = captions.subList(next, Math.min(captions.size(), next + size));
                next += part.size();
                int[][] ids = text.encodeBatch(part);
                return new ImageTextBatch(new float[part.size()][1], 1, 1, 1, org.pformer.model.data.Padding.right(ids, text.padId()), null, part,
                        part);
            }
        };
    }

}
