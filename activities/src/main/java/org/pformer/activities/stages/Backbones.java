package org.pformer.activities.stages;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.ModelsConfig;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.eval.RetrievalEvaluator;
import org.pformer.model.foundation.FoundationPresets;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.SafeTensorsWriter;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.Module;
import org.pformer.model.pformer.ContrastVariant;
import org.pformer.model.pformer.PFormerConfig;
import org.pformer.config.PFormerStageConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.vit.EvaVitWeights;
import org.pformer.model.vit.VitConfig;
import org.pformer.model.vit.VitModel;

/**
 * The frozen backbones and tokenizers a stage works with, and where their files are. Two sources:
 * <ul>
 *   <li>the shipped world ({@code data.source: world}): the FOUNDATION stage's world directory (tokenizers inside)
 *       and trained weights, sized by {@link FoundationPresets} ({@code world-tiny}, {@code world-small});</li>
 *   <li>real models ({@code data.source: files}): the paper's presets ({@code vit-g}, {@code opt-2.7b},
 *       {@code bert-base}) with {@code models.*.weights} / {@code models.*.tokenizer} files in HF layout (an
 *       EVA-CLIP checkpoint for the ViT is recognised by its names).</li>
 * </ul>
 */
public final class Backbones {

    public static final String WORLD = "world";
    public static final String VISION = "vision";
    public static final String LLM = "llm";
    public static final String TEXT_ENCODER = "text_encoder";

    private final PipelineConfig config;
    private final Path worldDir;
    private final WorldManifest world;
    private final Path visionWeights;
    private final Path llmWeights;
    /** The FOUNDATION's text tower on the world; null otherwise. */
    private final Path worldTextEncoder;

    private Backbones(PipelineConfig config, Path worldDir, WorldManifest world, Path visionWeights, Path llmWeights,
            Path worldTextEncoder) {
        this.config = config;
        this.worldDir = worldDir;
        this.world = world;
        this.visionWeights = visionWeights;
        this.llmWeights = llmWeights;
        this.worldTextEncoder = worldTextEncoder;
    }

    /** The backbones of a request: from its FOUNDATION upstream on the world, from the configuration otherwise. */
    public static Backbones of(StageRequest request, LocalArtifacts artifacts) throws IOException {
        PipelineConfig config = request.config();
        if (config.usesWorld()) {
            StageResult foundation = request.upstream(StageName.FOUNDATION);
            Path dir = artifacts.directory(foundation.artifact(WORLD));
            // the world's pre-trained text encoder: the FOUNDATION's CLIP text tower (absent before code version 3)
            Path textEncoder = foundation.artifacts().containsKey(TEXT_ENCODER)
                    ? artifacts.file(foundation.artifact(TEXT_ENCODER)) : null;
            return new Backbones(config, dir, WorldManifest.read(dir), artifacts.file(foundation.artifact(VISION)),
                    artifacts.file(foundation.artifact(LLM)), textEncoder);
        }
        ModelsConfig m = config.models();
        return new Backbones(config, null, null, optionalPath(m.vision().weights()),
                optionalPath(m.llm().weights()), null);
    }

    /** Backbones of the world generated in {@code worldDir} (the FOUNDATION stage itself, before any weights). */
    static Backbones ofWorld(PipelineConfig config, Path worldDir, WorldManifest world) {
        return new Backbones(config, worldDir, world, null, null, null);
    }

    private static Path optionalPath(String p) {
        return p == null ? null : Path.of(p);
    }

    public boolean isWorld() {
        return world != null;
    }

    /** The world directory (world mode only). */
    public Path worldDir() {
        requireWorld();
        return worldDir;
    }

    /** The world manifest (world mode only). */
    public WorldManifest world() {
        requireWorld();
        return world;
    }

    /** A world-relative path. */
    public Path worldPath(String relative) {
        return worldDir().resolve(relative);
    }

    private void requireWorld() {
        if (world == null) {
            throw new IllegalStateException("no world: data.source is " + config.data().source());
        }
    }

    /** The image-text retrieval test set (the world's, or {@code data.retrieval}); null when none is configured. */
    public RetrievalEvaluator.RetrievalFiles retrievalFiles() {
        if (isWorld()) {
            var r = world.datasets().retrieval();
            return new RetrievalEvaluator.RetrievalFiles(worldPath(r.annotations()), worldPath(r.images()));
        }
        var r = config.data().retrieval();
        return r == null ? null : new RetrievalEvaluator.RetrievalFiles(Path.of(r.annotations()), Path.of(r.images()));
    }

    /** {@code tokenizer.json} of the text encoder (P-Former / Q-Former). */
    public Path textTokenizer() throws NoSuchFileException {
        return isWorld() ? worldPath(world.datasets().pformerTokenizer())
                : required(config.models().textEncoder().tokenizer(), "models.text_encoder.tokenizer");
    }

    /** {@code tokenizer.json} of the frozen LLM. */
    public Path llmTokenizer() throws NoSuchFileException {
        return isWorld() ? worldPath(world.datasets().llmTokenizer())
                : required(config.models().llm().tokenizer(), "models.llm.tokenizer");
    }

    private static Path required(String path, String key) throws NoSuchFileException {
        if (path == null) {
            throw new StageExecutor.InvalidStageConfig(key + " is missing; expected the path of a tokenizer.json "
                    + "(data.source: files needs the real model's tokenizer)");
        }
        Path p = Path.of(path);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(path, null, key + " does not exist");
        }
        return p;
    }

    private FoundationPresets.Preset worldPreset(String key, String name) {
        try {
            return FoundationPresets.byName(name);
        } catch (IllegalArgumentException e) {
            throw new StageExecutor.InvalidStageConfig(key + ": " + e.getMessage());
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** The frozen image encoder's architecture. */
    public VitConfig visionConfig() {
        String preset = lower(config.models().vision().preset());
        if (preset.equals("vit-g")) {
            return VitConfig.vitG();
        }
        return worldPreset("models.vision.preset", preset).vision(config.world().imageSize());
    }

    /** The frozen LLM's architecture for a tokenizer of {@code vocabSize} entries (world presets size to it). */
    public OptConfig llmConfig(int vocabSize) {
        String preset = lower(config.models().llm().preset());
        if (preset.equals("opt-2.7b")) {
            return OptConfig.opt2_7b();
        }
        return worldPreset("models.llm.preset", preset).llm(vocabSize);
    }

    /**
     * The text encoder's architecture (P-Former encoder, Q-Former base). BERT-base for real runs; on the world, a
     * BERT of the world's text-tower size over the world's word-piece vocabulary (its pre-trained weights are the
     * FOUNDATION's CLIP text tower, see {@link #textEncoderWeights()}).
     */
    public BertConfig textEncoderConfig(int vocabSize) {
        String preset = lower(config.models().textEncoder().preset());
        if (preset.equals("bert-base")) {
            return BertConfig.bertBase();
        }
        return worldPreset("models.text_encoder.preset", preset).textTower(vocabSize);
    }

    /**
     * Pre-trained text-encoder weights (HF BERT names): {@code models.text_encoder.weights}, or on the world the
     * FOUNDATION's text tower; null for a random initialisation.
     */
    public Path textEncoderWeights() throws NoSuchFileException {
        String w = config.models().textEncoder().weights();
        if (w != null) {
            return required(w, "models.text_encoder.weights");
        }
        return worldTextEncoder;
    }

    /**
     * The P-Former's architecture (paper Eq. 4): the text encoder, {@code pformer.num_prompt} prompt positions of
     * the LLM's width, the configured contrastive variant and [MASK] corruption.
     */
    public PFormerConfig pformerConfig(int textVocabSize, int maskTokenId, int llmHiddenSize) {
        PFormerStageConfig p = config.pformer();
        ContrastVariant variant;
        try {
            variant = ContrastVariant.valueOf(p.contrastive().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new StageExecutor.InvalidStageConfig("pformer.contrastive: '" + p.contrastive()
                    + "', expected simcse or self");
        }
        return PFormerConfig.defaults(textEncoderConfig(textVocabSize), llmHiddenSize, maskTokenId)
                .withNumQueries(p.numPrompt()).withContrast(variant).withMaskProbability(p.maskProb());
    }

    /** Writes a module's parameters (its own names) to safetensors with a {@code format} tag; returns the file. */
    public static Path saveWeights(Module module, Path file, String format) throws IOException {
        Map<String, ai.djl.ndarray.NDArray> tensors = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> tensors.put(name, p.array()));
        Files.createDirectories(file.getParent());
        SafeTensorsWriter.write(file, tensors, Map.of("format", format));
        return file;
    }

    /** The frozen, eval-mode image encoder with its weights. */
    public VitModel loadVision(NDManager manager) throws IOException {
        if (visionWeights == null) {
            throw new StageExecutor.InvalidStageConfig("models.vision.weights is missing; expected the frozen image "
                    + "encoder's safetensors (HF ViT or EVA-CLIP names)");
        }
        VitConfig c = visionConfig();
        VitModel vit = new VitModel(ParameterFactory.forLoading(manager), c);
        try (SafeTensors st = SafeTensors.open(visionWeights)) {
            if (st.shapes().containsKey("patch_embed.proj.weight")) {
                WeightLoader.load(vit, EvaVitWeights.of(st, c), NameMapping.IDENTITY, Set.of());
            } else {
                WeightLoader.load(vit, st, NameMapping.VIT, Set.of());
            }
        }
        vit.freeze();
        vit.eval();
        return vit;
    }

    /** The frozen, eval-mode LLM with its weights. */
    public OptForCausalLM loadLlm(NDManager manager, int vocabSize) throws IOException {
        if (llmWeights == null) {
            throw new StageExecutor.InvalidStageConfig("models.llm.weights is missing; expected the frozen LLM's "
                    + "safetensors (HF OPT names)");
        }
        OptForCausalLM llm = new OptForCausalLM(ParameterFactory.forLoading(manager), llmConfig(vocabSize));
        WeightLoader.load(llm, llmWeights, NameMapping.OPT);
        llm.freeze();
        llm.eval();
        return llm;
    }
}
