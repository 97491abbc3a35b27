package org.pformer.model.foundation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.data.ImageTextBatchSource;
import org.pformer.model.io.NameMapping;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.train.TrainingListener;
import org.pformer.model.vit.VitConfig;

/**
 * Trains the world's stand-in for EVA-CLIP ViT-g (BENCHMARK.md): a {@link ClipModel} with CLIP's symmetric InfoNCE
 * ({@link ClipObjective}) on the world's "web" image-caption set, then keeps the image tower. Writes {@value
 * #VIT_FILE} (HF {@code ViTModel} names, loadable with {@link NameMapping#VIT} exactly as real weights), {@value
 * #TEXT_ENCODER_FILE} (the text tower, HF {@code BertModel} names: the world's stand-in for the pre-trained BERT-base
 * that BLIP-2 starts its Q-Former from) and, for inspection, {@value #CLIP_FILE} (the whole dual encoder).
 */
public final class ClipVisionTraining {

    public static final String VIT_FILE = "vit.safetensors";
    public static final String CLIP_FILE = "clip.safetensors";
    public static final String TEXT_ENCODER_FILE = "text_encoder.safetensors";

    /**
     * @param completed whether all planned steps ran (false: stopped on request, after a checkpoint)
     * @param step optimizer steps completed
     * @param vit the kept image tower (null unless completed)
     * @param vitSha256 its SHA-256 (null unless completed)
     * @param textEncoder the kept text tower, HF BERT names (null unless completed)
     * @param clip the whole dual encoder (null unless completed)
     * @param before held-out retrieval of the initial model (null without held-out pairs)
     * @param after held-out retrieval of the trained model (null unless completed, or without held-out pairs)
     * @param lastStepMetrics the last step's metrics in this call (empty if none ran)
     */
    public record Result(boolean completed, long step, Path vit, String vitSha256, Path textEncoder, Path clip,
                         RetrievalReport before, RetrievalReport after, Map<String, Double> lastStepMetrics) {}

    private ClipVisionTraining() {}

    /**
     * Trains (or resumes) the dual encoder and writes the weights into {@code options.outputDir()}.
     *
     * @param heldOut held-out pairs for the before/after retrieval report (may be empty)
     * @param stop polled before every step; when it returns true the run checkpoints and returns
     */
    public static Result train(ClipConfig config, TrainingPlan plan, ImageTextBatchSource source,
            List<ImageTextBatch> heldOut, RunOptions options, TrainingListener listener, BooleanSupplier stop)
            throws IOException {
        try (NDManager params = NDManager.newBaseManager(options.device())) {
            ClipModel clip = new ClipModel(ParameterFactory.random(params, plan.seed()), config);
            // the initial model is a pure function of the seed, so "before" is the same on a resumed run
            RetrievalReport before = heldOut.isEmpty() ? null : evaluate(clip, heldOut, params);
            FoundationRun.Outcome outcome = FoundationRun.train(clip, new ClipObjective(clip), source, plan, options,
                    listener, stop);
            if (!outcome.completed()) {
                return new Result(false, outcome.step(), null, null, null, null, before, null,
                        outcome.lastStepMetrics());
            }
            RetrievalReport after = heldOut.isEmpty() ? null : evaluate(clip, heldOut, params);
            FoundationRun.Written vit = FoundationRun.save(clip.vision(), options.outputDir().resolve(VIT_FILE),
                    hfConfig(config.vision()));
            ObjectNode textConfig = FoundationRun.JSON.valueToTree(config.text());
            Path textEncoder = FoundationRun.save(clip.text(), options.outputDir().resolve(TEXT_ENCODER_FILE),
                    textConfig).file();
            ObjectNode clipConfig = FoundationRun.JSON.createObjectNode();
            clipConfig.put("model_type", "pformer-world-clip");
            clipConfig.set("vision_config", hfConfig(config.vision()));
            clipConfig.set("text_config", textConfig);
            clipConfig.put("projection_dim", config.embedDim());
            Path clipFile = FoundationRun.save(clip, options.outputDir().resolve(CLIP_FILE), clipConfig).file();
            return new Result(true, outcome.step(), vit.file(), vit.sha256(), textEncoder, clipFile, before, after,
                    outcome.lastStepMetrics());
        }
    }

    /**
     * Zero-shot retrieval on held-out pairs: every distinct image (by id) against every text, cosine similarity
     * of the projected embeddings. Runs in eval mode without gradient and restores the module's mode afterwards.
     */
    public static RetrievalReport evaluate(ClipModel clip, List<ImageTextBatch> pairs, NDManager manager) {
        List<String> imageOrder = new ArrayList<>();
        List<String> pairIds = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<float[]> imageRows = new ArrayList<>();
        List<float[]> textRows = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int dim = clip.config().embedDim();
        boolean wasTraining = clip.isTraining();
        clip.eval();
        try {
            for (ImageTextBatch batch : pairs) {
                float[] image;
                float[] text;
                try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    image = clip.imageFeatures(batch.pixelsArray(m)).toFloatArray();
                    text = clip.textFeatures(batch.text().idsArray(m), batch.text().maskArray(m)).toFloatArray();
                }
                for (int i = 0; i < batch.size(); i++) {
                    String id = batch.imageIds().get(i);
                    if (seen.add(id)) {
                        imageOrder.add(id);
                        imageRows.add(java.util.Arrays.copyOfRange(image, i * dim, (i + 1) * dim));
                    }
                    pairIds.add(id);
                    captions.add(batch.captions().get(i));
                    textRows.add(java.util.Arrays.copyOfRange(text, i * dim, (i + 1) * dim));
                }
            }
        } finally {
            if (wasTraining) {
                clip.train();
            }
        }
        if (imageOrder.isEmpty()) {
            throw new IllegalArgumentException("no held-out pairs to evaluate retrieval on");
        }
        float[] similarity;
        try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray images = m.create(flatten(imageRows, dim), new Shape(imageRows.size(), dim));
            NDArray texts = m.create(flatten(textRows, dim), new Shape(textRows.size(), dim));
            similarity = images.matMul(texts.transpose()).toFloatArray();
        }
        return RetrievalReport.fromSimilarities(similarity, imageOrder, pairIds, captions);
    }

    private static float[] flatten(List<float[]> rows, int dim) {
        float[] out = new float[rows.size() * dim];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, out, i * dim, dim);
        }
        return out;
    }

    /** HF {@code ViTConfig} fields of a {@link VitConfig}. */
    static ObjectNode hfConfig(VitConfig c) {
        ObjectNode n = FoundationRun.JSON.createObjectNode();
        n.put("model_type", "vit");
        n.putArray("architectures").add("ViTModel");
        n.put("image_size", c.imageSize());
        n.put("patch_size", c.patchSize());
        n.put("num_channels", c.channels());
        n.put("hidden_size", c.hiddenSize());
        n.put("num_hidden_layers", c.numLayers());
        n.put("num_attention_heads", c.numHeads());
        n.put("intermediate_size", c.intermediateSize());
        n.put("hidden_act", "gelu");
        n.put("layer_norm_eps", c.layerNormEps());
        n.put("hidden_dropout_prob", c.hiddenDropout());
        n.put("attention_probs_dropout_prob", c.attentionDropout());
        n.put("qkv_bias", true);
        n.put("final_layer_norm", c.finalLayerNorm());
        return n;
    }
}
