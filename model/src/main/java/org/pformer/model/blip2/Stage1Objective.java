package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.nn.Functional;
import org.pformer.model.train.Objective;

/**
 * BLIP-2 stage 1 with the P-Former's alignment loss (paper Eq. 8): total = ITC + ITM + ITG + ω1 · L_align.
 *
 * <p>Per micro-batch: the frozen ViT and {@code ln_vision} give the image tokens; one Q-Former pass over
 * [queries ; text] with the uni-modal mask gives the query outputs (= the image-only pass, used by ITC and
 * L_align) and the text's [CLS] (ITC); hard negatives are drawn from the ITC similarities with the stage's seeded
 * generator; one pass over the 3B (positive, negative-image, negative-text) pairs with the bidirectional mask
 * gives ITM; one pass with [DEC] in place of [CLS] and the multimodal-causal mask gives ITG. Loss terms are
 * reported as {@code itc}, {@code itm}, {@code itg} and {@code align} (already multiplied by ω1); the unweighted
 * MSE is the metric {@code align_mse}.
 */
public final class Stage1Objective implements Objective<ImageTextBatch> {

    private final Blip2Stage1 model;
    private final PFormerTargets targets;
    private final double omega1;
    private double alignSum;
    private int alignCount;
    private int fallbackRows;

    /**
     * @param model the stage-1 model (trainable parts) holding the frozen image encoder
     * @param targets the frozen P-Former's prompts, required when {@code omega1 > 0} (may be null otherwise)
     * @param omega1 weight of L_align (0 = plain BLIP-2; the paper's default 10)
     */
    public Stage1Objective(Blip2Stage1 model, PFormerTargets targets, double omega1) {
        this.model = model;
        this.targets = targets;
        this.omega1 = omega1;
        checkAlignment(omega1, targets, model.alignWidth(), model.config().numQuery(), "ω1", "align_proj");
    }

    static void checkAlignment(double omega, PFormerTargets targets, int width, int numQuery, String omegaName,
            String projection) {
        if (!(omega >= 0) || Double.isInfinite(omega)) {
            throw new IllegalArgumentException(omegaName + " must be a finite number >= 0, got " + omega);
        }
        if (omega == 0) {
            return;
        }
        if (targets == null) {
            throw new IllegalArgumentException(omegaName + " = " + omega + " needs P-Former targets");
        }
        if (width != targets.width()) {
            throw new IllegalArgumentException(projection + " produces " + width + "-d prompts (0 = none) but the"
                    + " P-Former's prompts are " + targets.width() + "-d");
        }
        if (numQuery != targets.numPrompt()) {
            throw new IllegalArgumentException("the Q-Former has " + numQuery + " queries but the P-Former makes "
                    + targets.numPrompt() + " prompt tokens: Q must be equal (num_query = num_prompt)");
        }
    }

    @Override
    public Map<String, NDArray> losses(ImageTextBatch batch, Context context) {
        NDManager m = context.manager();
        QFormerConfig c = model.config();
        QFormer qformer = model.qformer();
        int q = c.numQuery();
        NDArray imageEmbeds = model.imageEmbeds(batch.pixelsArray(m));
        NDArray ids = batch.text().idsArray(m);
        NDArray mask = batch.text().maskArray(m);
        NDArray queries = model.queryEmbeds(imageEmbeds);

        // ITC: queries and text in one pass, blind to each other (uni-modal mask)
        NDArray uni = qformer.jointStates(queries, ids, mask, imageEmbeds, QueryTextMask.UNI_MODAL);
        NDArray queryOutput = uni.get(new NDIndex(":, :{}, :", q));
        NDArray cls = uni.get(new NDIndex(":, {}, :", q));
        Stage1Losses.Itc itc = Stage1Losses.itc(model.imageFeatures(queryOutput), model.textFeatures(cls),
                model.temperature().array(), c.itcLabelSmoothing());

        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("itc", itc.loss());
        out.put("itm", itm(batch, context, imageEmbeds, itc.simI2T()));
        out.put("itg", itg(batch, m, queries, mask, imageEmbeds));
        if (omega1 > 0) {
            NDArray align = Stage1Losses.alignmentLoss(model.alignPrompt(queryOutput), targets.targets(batch, m));
            alignSum += align.getFloat();
            alignCount++;
            out.put("align", Functional.scale(align, omega1));
        }
        return out;
    }

    /** ITM over [positives ; (text, hard-negative image) ; (hard-negative text, image)], bidirectional mask. */
    private NDArray itm(ImageTextBatch batch, Context context, NDArray imageEmbeds, NDArray simI2T) {
        int b = batch.size();
        float[] flat = simI2T.toFloatArray();
        float[][] sim = new float[b][];
        for (int i = 0; i < b; i++) {
            sim[i] = java.util.Arrays.copyOfRange(flat, i * b, (i + 1) * b);
        }
        Stage1Losses.HardNegatives neg = Stage1Losses.sampleHardNegatives(sim,
                Stage1Losses.positives(batch.imageIds(), batch.captions()), context.random());
        fallbackRows += neg.fallbackRows();
        long[][] ids = batch.text().ids();
        long[][] mask = batch.text().mask();
        long[][] idsAll = new long[3 * b][];
        long[][] maskAll = new long[3 * b][];
        for (int i = 0; i < b; i++) {
            idsAll[i] = ids[i];
            maskAll[i] = mask[i];
            idsAll[b + i] = ids[i];
            maskAll[b + i] = mask[i];
            idsAll[2 * b + i] = ids[neg.textForImage()[i]];
            maskAll[2 * b + i] = mask[neg.textForImage()[i]];
        }
        NDManager m = context.manager();
        NDArray negativeImages = imageEmbeds.get(m.create(java.util.Arrays.stream(neg.imageForText()).asLongStream().toArray()));
        NDArray imagesAll = imageEmbeds.concat(negativeImages, 0).concat(imageEmbeds, 0);
        NDArray queryStates = model.multimodalQueries(imagesAll, m.create(idsAll), m.create(maskAll));
        return Stage1Losses.itmLoss(model.itmLogits(queryStates));
    }

    /** ITG: [DEC] replaces [CLS]; text reads all queries and earlier text (multimodal-causal mask). */
    private NDArray itg(ImageTextBatch batch, NDManager m, NDArray queries, NDArray mask, NDArray imageEmbeds) {
        QFormerConfig c = model.config();
        long[][] decIds = new long[batch.size()][];
        for (int i = 0; i < decIds.length; i++) {
            decIds[i] = batch.text().ids()[i].clone();
            decIds[i][0] = c.decTokenId();
        }
        NDArray dec = m.create(decIds);
        NDArray joint = model.qformer().jointStates(queries, dec, mask, imageEmbeds, QueryTextMask.MULTIMODAL_CAUSAL);
        NDArray logits = model.qformer().lmLogits(joint.get(new NDIndex(":, {}:, :", c.numQuery())));
        return Stage1Losses.itgLoss(logits, Functional.maskedLabels(dec, mask), c.itgLabelSmoothing());
    }

    @Override
    public void beforeStep() {
        model.clampTemperature();
    }

    @Override
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("temperature", (double) model.temperature().array().getFloat());
        out.put("itm_fallback_rows", (double) fallbackRows);
        if (alignCount > 0) {
            out.put("align_mse", alignSum / alignCount);
        }
        if (targets != null && targets.isCached()) {
            out.put("target_cache_misses", (double) targets.cacheMisses());
        }
        alignSum = 0;
        alignCount = 0;
        fallbackRows = 0;
        return out;
    }
}
