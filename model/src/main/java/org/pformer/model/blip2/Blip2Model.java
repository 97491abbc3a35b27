package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensorsWriter;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.LayerNorm;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.vit.VitModel;

/**
 * What both BLIP-2 stages share: the frozen image encoder (always in eval mode, held but not registered, so it is
 * neither trained, nor checkpointed, nor switched to training mode), the trainable {@code ln_vision} on its tokens,
 * the Q-Former ({@code Qformer}) and its learned {@code query_tokens} (1, Q, H), initialised Normal(0, 0.02).
 */
public abstract class Blip2Model extends Module {

    private final QFormerConfig config;
    private final VitModel visionEncoder;
    private final LayerNorm lnVision;
    private final QFormer qformer;
    private final Parameter queryTokens;

    protected Blip2Model(ParameterFactory f, QFormerConfig c, VitModel frozenVisionEncoder, boolean textPath) {
        this.config = Objects.requireNonNull(c, "config");
        this.visionEncoder = Objects.requireNonNull(frozenVisionEncoder, "frozenVisionEncoder");
        if (!frozenVisionEncoder.trainableParameters().isEmpty()) {
            throw new IllegalArgumentException("the image encoder must be frozen (call freeze()) before BLIP-2 training");
        }
        if (frozenVisionEncoder.config().hiddenSize() != c.visionWidth()) {
            throw new IllegalArgumentException("the Q-Former cross-attends to tokens of width " + c.visionWidth()
                    + " but the image encoder is " + frozenVisionEncoder.config().hiddenSize() + " wide");
        }
        frozenVisionEncoder.eval();
        lnVision = addChild("ln_vision", new LayerNorm(f, c.visionWidth(), c.visionLayerNormEps()));
        qformer = addChild("Qformer", new QFormer(f, c, textPath));
        queryTokens = addParameter(f, "query_tokens", new Shape(1, c.numQuery(), c.hiddenSize()),
                ParameterFactory.NORMAL_002);
    }

    public QFormerConfig config() {
        return config;
    }

    public QFormer qformer() {
        return qformer;
    }

    public VitModel visionEncoder() {
        return visionEncoder;
    }

    /** Image tokens for the Q-Former: {@code ln_vision(vit(pixels))} (B, N, W) in FLOAT32, the ViT in eval mode. */
    public NDArray imageEmbeds(NDArray pixels) {
        visionEncoder.eval();
        NDArray tokens = visionEncoder.forward(pixels).toType(DataType.FLOAT32, false);
        return lnVision.forward(tokens);
    }

    /** The learned queries expanded to (B, Q, H), created alongside {@code like} (an activation of the step). */
    public NDArray queryEmbeds(NDArray like) {
        long b = like.getShape().get(0);
        return like.getManager().zeros(new Shape(b, config.numQuery(), config.hiddenSize()), DataType.FLOAT32)
                .add(queryTokens.array());
    }

    /** The image-only pass of the Q-Former: query outputs (B, Q, H) for image tokens (B, N, W). */
    public NDArray queryOutput(NDArray imageEmbeds) {
        return qformer.queryStates(queryEmbeds(imageEmbeds), imageEmbeds);
    }

    /**
     * Writes this model's own (trainable) parameters, with LAVIS names, to a safetensors file; returns its SHA-256.
     * The frozen image encoder is not included.
     */
    public String saveWeights(Path file) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> tensors.put(name, p.array()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", weightsFormat());
        meta.put("num_query", Integer.toString(config.numQuery()));
        meta.put("hidden_size", Integer.toString(config.hiddenSize()));
        meta.put("vision_width", Integer.toString(config.visionWidth()));
        return SafeTensorsWriter.write(file, tensors, meta);
    }

    /** Loads weights written by {@link #saveWeights} (strict: every parameter, nothing unexpected). */
    public WeightLoader.Report loadWeights(Path file) throws IOException {
        return WeightLoader.load(this, file, NameMapping.IDENTITY);
    }

    /** Loads a checkpoint in another naming layout (see {@link Blip2Names}). */
    public WeightLoader.Report loadWeights(Path file, NameMapping mapping, Set<String> allowedMissing)
            throws IOException {
        return WeightLoader.load(this, file, mapping, allowedMissing);
    }

    /** The {@code format} metadata of this model's weight files. */
    protected abstract String weightsFormat();
}
