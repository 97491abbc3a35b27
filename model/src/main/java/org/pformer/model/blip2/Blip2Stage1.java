package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.vit.VitModel;

/**
 * BLIP-2 stage 1 (representation learning, paper Eq. 8) with LAVIS {@code Blip2Qformer} parameter names: the
 * Q-Former with its text path and tied LM head, {@code query_tokens}, {@code ln_vision}, the contrastive heads
 * {@code vision_proj} / {@code text_proj} (H → 256), {@code itm_head} (H → 2), the temperature {@code temp}, and —
 * when the alignment loss is on — {@code align_proj} (H → H_llm), the P-Former paper's projection of the query
 * outputs onto the LLM's input space (BLIText calls it {@code opt_proj}).
 *
 * <p>Besides training, this is the retrieval model: {@link #encodeImage}, {@link #encodeText},
 * {@link #itcSimilarity} and {@link #itmPositiveLogit}.
 */
public final class Blip2Stage1 extends Blip2Model {

    /** Weight-file format tag. */
    public static final String FORMAT = "blip2-stage1/1";

    private final Linear visionProj;
    private final Linear textProj;
    private final Linear itmHead;
    private final Parameter temp;
    private final Linear alignProj;

    /**
     * @param frozenVisionEncoder the frozen image encoder (kept in eval mode, not trained, not saved)
     * @param alignWidth H_llm for {@code align_proj} (the frozen LLM's input width), or 0 for no alignment
     *     projection (ω1 = 0: plain BLIP-2)
     */
    public Blip2Stage1(ParameterFactory f, QFormerConfig c, VitModel frozenVisionEncoder, int alignWidth) {
        super(f, c, frozenVisionEncoder, true);
        if (alignWidth < 0) {
            throw new IllegalArgumentException("alignWidth must be >= 0, got " + alignWidth);
        }
        // plain nn.Linear heads in LAVIS (PyTorch default init), not BERT-initialised
        visionProj = addChild("vision_proj", Linear.withTorchDefaultInit(f, c.hiddenSize(), c.embedDim()));
        textProj = addChild("text_proj", Linear.withTorchDefaultInit(f, c.hiddenSize(), c.embedDim()));
        itmHead = addChild("itm_head", Linear.withTorchDefaultInit(f, c.hiddenSize(), 2));
        temp = addParameter(f, "temp", new Shape(), new ParameterFactory.Init.Constant(c.temperatureInit()));
        alignProj = alignWidth > 0 ? addChild("align_proj", Linear.withTorchDefaultInit(f, c.hiddenSize(), alignWidth))
                : null;
    }

    @Override
    protected String weightsFormat() {
        return FORMAT;
    }

    /** Whether {@code align_proj} exists (the alignment loss can be trained). */
    public boolean hasAlignProjection() {
        return alignProj != null;
    }

    /** {@code align_proj}'s output width H_llm (0 when there is none). */
    public int alignWidth() {
        return alignProj == null ? 0 : alignProj.outFeatures();
    }

    /** The ITC temperature (a scalar parameter, exempt from weight decay). */
    public Parameter temperature() {
        return temp;
    }

    /** Clamps the temperature into [min, max] in place, outside autograd (LAVIS: {@code temp.clamp_(0.001, 0.5)}). */
    public void clampTemperature() {
        float t = temp.array().getFloat();
        float clamped = (float) Math.min(config().temperatureMax(), Math.max(config().temperatureMin(), t));
        if (clamped != t) {
            temp.array().muli(0).addi(clamped);
        }
    }

    /** L2-normalised image features (B, Q, 256) of query outputs (B, Q, H): {@code normalize(vision_proj(·))}. */
    public NDArray imageFeatures(NDArray queryOutput) {
        return visionProj.forward(queryOutput).normalize(2, -1, 1e-12);
    }

    /** L2-normalised text feature (B, 256) of [CLS] states (B, H): {@code normalize(text_proj(·))}. */
    public NDArray textFeatures(NDArray cls) {
        return textProj.forward(cls).normalize(2, -1, 1e-12);
    }

    /** ITM logits (B, 2) from multimodal query outputs (B, Q, H): {@code itm_head} per query, averaged over queries. */
    public NDArray itmLogits(NDArray queryStates) {
        return itmHead.forward(queryStates).mean(new int[] {1});
    }

    /** {@code align_proj} of query outputs (B, Q, H) → (B, Q, H_llm), the prompt aligned to the P-Former's. */
    public NDArray alignPrompt(NDArray queryOutput) {
        if (alignProj == null) {
            throw new IllegalStateException("this stage-1 model has no align_proj (built with alignWidth 0)");
        }
        return alignProj.forward(queryOutput);
    }

    /** An image as retrieval sees it: the tokens for ITM re-ranking and the ITC features. */
    public record ImageEncoding(NDArray imageEmbeds, NDArray features) {}

    /**
     * Retrieval, image side: {@code ln_vision(vit(pixels))} (B, N, W), kept for ITM, and the normalised query
     * features (B, Q, 256) for ITC.
     */
    public ImageEncoding encodeImage(NDArray pixels) {
        NDArray embeds = imageEmbeds(pixels);
        return new ImageEncoding(embeds, imageFeatures(queryOutput(embeds)));
    }

    /** Retrieval, text side: the normalised [CLS] feature (B, 256) of (B, T) ids ([CLS] … [SEP]) and mask. */
    public NDArray encodeText(NDArray ids, NDArray mask) {
        return textFeatures(qformer().textStates(ids, mask).get(new NDIndex(":, 0, :")));
    }

    /**
     * ITC similarity of every image with every text: the maximum over the Q queries of the cosine between query
     * feature and text feature (not divided by the temperature).
     *
     * @param imageFeatures (Bi, Q, D)
     * @param textFeatures (Bt, D)
     * @return (Bi, Bt)
     */
    public static NDArray itcSimilarity(NDArray imageFeatures, NDArray textFeatures) {
        return imageFeatures.matMul(textFeatures.transpose()).max(new int[] {1});
    }

    /**
     * ITM, as LAVIS {@code compute_itm}: the Q-Former reads image i's tokens and text i with the bidirectional
     * mask; returns the positive-class logit averaged over queries (B).
     *
     * @param imageEmbeds (B, N, W) from {@link #encodeImage}
     * @param ids (B, T) text ids ([CLS] … [SEP])
     * @param mask (B, T) 0/1
     */
    public NDArray itmPositiveLogit(NDArray imageEmbeds, NDArray ids, NDArray mask) {
        return itmLogits(multimodalQueries(imageEmbeds, ids, mask)).get(new NDIndex(":, 1"));
    }

    /** Query outputs (B, Q, H) of the joint pass over [queries ; text] with the bidirectional (ITM) mask. */
    NDArray multimodalQueries(NDArray imageEmbeds, NDArray ids, NDArray mask) {
        NDArray joint = qformer().jointStates(queryEmbeds(imageEmbeds), ids, mask, imageEmbeds,
                QueryTextMask.BIDIRECTIONAL);
        return joint.get(new NDIndex(":, :{}, :", config().numQuery()));
    }

    /** Loads a LAVIS {@code Blip2Qformer} checkpoint (converted to safetensors); {@code align_proj} may be absent. */
    public WeightLoader.Report loadLavisCheckpoint(Path file) throws IOException {
        return loadWeights(file, Blip2Names.LAVIS_STAGE1, alignProjNames());
    }

    private Set<String> alignProjNames() {
        return alignProj == null ? Set.of() : Set.of("align_proj.weight", "align_proj.bias");
    }
}
