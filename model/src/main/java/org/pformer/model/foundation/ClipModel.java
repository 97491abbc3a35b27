package org.pformer.model.foundation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.pformer.model.bert.BertModel;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.vit.VitModel;

/**
 * The world's CLIP-style dual encoder, named as HF {@code CLIPModel} at the top level ({@code vision_model.*} with
 * HF {@code ViTModel} names inside, {@code text_model.*} with HF {@code BertModel} names, {@code
 * visual_projection.weight}, {@code text_projection.weight}, {@code logit_scale}). After training only the vision
 * tower is kept: it is the frozen image encoder of stages 1-2.
 */
public final class ClipModel extends Module {

    private final ClipConfig config;
    private final VitModel vision;
    private final BertModel text;
    private final Linear visualProjection;
    private final Linear textProjection;
    private final Parameter logitScale;

    public ClipModel(ParameterFactory f, ClipConfig c) {
        this.config = c;
        vision = addChild("vision_model", new VitModel(f, c.vision()));
        text = addChild("text_model", new BertModel(f, c.text()));
        visualProjection = addChild("visual_projection",
                new Linear(f, c.vision().hiddenSize(), c.embedDim(), false));
        textProjection = addChild("text_projection", new Linear(f, c.text().hiddenSize(), c.embedDim(), false));
        logitScale = addParameter(f, "logit_scale", new Shape(), new ParameterFactory.Init.Constant(c.logitScaleInit()));
    }

    public ClipConfig config() {
        return config;
    }

    /** The image tower: what is kept and frozen. */
    public VitModel vision() {
        return vision;
    }

    public BertModel text() {
        return text;
    }

    /** L2-normalised image embeddings (B, embedDim) from pixels (B, C, S, S): projection of the [CLS] token. */
    public NDArray imageFeatures(NDArray pixels) {
        NDArray cls = vision.forward(pixels).get(new NDIndex(":, 0, :"));
        return visualProjection.forward(cls).normalize(2, 1, 1e-12);
    }

    /** L2-normalised text embeddings (B, embedDim) from (B, L) ids and mask: projection of the [CLS] state. */
    public NDArray textFeatures(NDArray ids, NDArray mask) {
        NDArray cls = text.forward(ids, mask).get(new NDIndex(":, 0, :"));
        return textProjection.forward(cls).normalize(2, 1, 1e-12);
    }

    /** The learnable log inverse temperature (a scalar, exempt from weight decay). */
    public Parameter logitScale() {
        return logitScale;
    }

    /** The temperature 1 / exp(logit_scale). */
    public double temperature() {
        return Math.exp(-logitScale.array().getFloat());
    }

    /** Clamps the logit scale into [0, logitScaleMax] in place, outside autograd (CLIP clamps at ln 100). */
    public void clampLogitScale() {
        float s = logitScale.array().getFloat();
        float clamped = (float) Math.min(config.logitScaleMax(), Math.max(0, s));
        if (clamped != s) {
            logitScale.array().muli(0).addi(clamped);
        }
    }
}
