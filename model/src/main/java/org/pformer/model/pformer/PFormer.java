package org.pformer.model.pformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import org.pformer.model.bert.BertModel;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;

/**
 * The P-Former (paper §3.1): a BERT sentence encoder whose last-layer [CLS] state h is turned into Q prompt
 * vectors for a frozen LLM: {@code cls_proj} (H → Q·H), reshape (B, Q, H), {@code prompt_pooler} (H → H, tanh)
 * per position, {@code llm_proj} (H → H_llm) per position. A contrastive head {@code text_proj} (H → 256,
 * L2-normalised) and a learnable temperature {@code temp} serve L_contrast.
 */
public final class PFormer extends Module {

    private final PFormerConfig config;
    private final BertModel bert;
    private final Linear clsProj;
    private final Linear promptPooler;
    private final Linear llmProj;
    private final Linear textProj;
    private final Parameter temp;

    public PFormer(ParameterFactory f, PFormerConfig c) {
        this.config = c;
        int h = c.encoder().hiddenSize();
        bert = addChild("bert", new BertModel(f, c.encoder()));
        // the heads are plain nn.Linear layers added on top of the pretrained BERT in the reference code

        clsProj = addChild("cls_proj", Linear.withTorchDefaultInit(f, h, c.numQueries() * h));
        promptPooler = addChild("prompt_pooler", Linear.withTorchDefaultInit(f, h, h));
        llmProj = addChild("llm_proj", Linear.withTorchDefaultInit(f, h, c.llmHiddenSize()));
        textProj = addChild("text_proj", Linear.withTorchDefaultInit(f, h, c.contrastDim()));
        temp = addParameter(f, "temp", new Shape(), new ParameterFactory.Init.Constant(c.temperatureInit()));
    }

    public PFormerConfig config() {
        return config;
    }

    public BertModel bert() {
        return bert;
    }

    /** Initialises the encoder from a {@code bert-base-uncased}-style safetensors file (heads stay as they are). */
    public WeightLoader.Report loadBertWeights(Path safetensors) throws IOException {
        return WeightLoader.load(bert, safetensors, NameMapping.BERT);
    }

    /** Last-layer [CLS] states h (B, H) for (B, L) encoder ids and mask. */
    public NDArray cls(NDArray inputIds, NDArray attentionMask) {
        return bert.forward(inputIds, attentionMask).get(new NDIndex(":, 0, :"));
    }

    /** The reference prompt P (B, Q, H_llm) from h (paper Eq. 4 input). */
    public NDArray prompts(NDArray cls) {
        long b = cls.getShape().get(0);
        int h = config.encoder().hiddenSize();
        NDArray x = clsProj.forward(cls).reshape(b, config.numQueries(), h);
        x = promptPooler.forward(x).tanh();
        return llmProj.forward(x);
    }

    /** L2-normalised contrastive features z (B, contrastDim) from h. */
    public NDArray textFeatures(NDArray cls) {
        return textProj.forward(cls).normalize(2, 1, 1e-12);
    }

    /** The learnable temperature (a scalar parameter, exempt from weight decay). */
    public Parameter temperature() {
        return temp;
    }

    /** Clamps the temperature into [min, max] in place, without gradient (BLIP-2: {@code temp.clamp_(…)}). */
    public void clampTemperature() {
        float t = temp.array().getFloat();
        float clamped = (float) Math.min(config.temperatureMax(), Math.max(config.temperatureMin(), t));
        if (clamped != t) {
            temp.array().muli(0).addi(clamped);
        }
    }
}
