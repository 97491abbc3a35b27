package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.nn.Functional;
import org.pformer.model.pformer.PFormerLosses;
import org.pformer.model.train.Objective;
import org.pformer.model.train.TokenBatch;

/**
 * BLIP-2 stage 2 with the P-Former's alignment loss (paper Eq. 9): total = L_lm + ω2 · L_align. The soft prompt
 * {@code llm_proj(query outputs)} (B, Q, H_llm) precedes the caption's LLM embeddings; the LM loss covers the
 * caption tokens only (soft prompt, text prompt and padding are −100); L_align is the MSE between exactly that soft
 * prompt and the frozen P-Former's prompt. Terms: {@code lm} and {@code align} (already multiplied by ω2); the
 * unweighted MSE is the metric {@code align_mse}.
 *
 * <p>The optional text prompt (BLIP-2 OPT's {@code prompt}, e.g. "a photo of"; default none) must already lead
 * every caption's LLM tokens, tokenised together with the caption as LAVIS does; its ids (BOS included, as the
 * tokenizer gives them for the prompt alone) are checked and excluded from the loss.
 */
public final class Stage2Objective implements Objective<ImageTextBatch> {

    private final Blip2Stage2 model;
    private final PFormerTargets targets;
    private final double omega2;
    private final long[] promptIds;
    private double alignSum;
    private int alignCount;

    /**
     * @param targets the frozen P-Former's prompts, required when {@code omega2 > 0}
     * @param omega2 weight of L_align (0 = plain BLIP-2; the paper's default 100)
     * @param promptIds LLM ids of the text prompt with BOS (empty: no prompt, BOS is then a target as in LAVIS)
     */
    public Stage2Objective(Blip2Stage2 model, PFormerTargets targets, double omega2, long[] promptIds) {
        this.model = model;
        this.targets = targets;
        this.omega2 = omega2;
        this.promptIds = promptIds == null ? new long[0] : promptIds.clone();
        Stage1Objective.checkAlignment(omega2, targets, model.promptWidth(), model.config().numQuery(), "ω2",
                "llm_proj");
    }

    @Override
    public Map<String, NDArray> losses(ImageTextBatch batch, Context context) {
        NDManager m = context.manager();
        TokenBatch llmTokens = batch.llm();
        if (llmTokens == null) {
            throw new IllegalArgumentException("stage 2 needs the captions tokenised for the LLM (ImageTextBatch.llm)");
        }
        checkPrompt(llmTokens);
        model.llm().eval();
        NDArray softPrompt = model.softPrompt(model.imageEmbeds(batch.pixelsArray(m)));
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("lm", PFormerLosses.lmLoss(model.llm(), softPrompt, llmTokens.idsArray(m), llmTokens.maskArray(m),
                promptIds.length));
        if (omega2 > 0) {
            NDArray align = Stage1Losses.alignmentLoss(softPrompt, targets.targets(batch, m));
            alignSum += align.getFloat();
            alignCount++;
            out.put("align", Functional.scale(align, omega2));
        }
        return out;
    }

    private void checkPrompt(TokenBatch tokens) {
        if (promptIds.length == 0) {
            return;
        }
        for (int i = 0; i < tokens.size(); i++) {
            long[] ids = tokens.ids()[i];
            boolean leads = ids.length > promptIds.length
                    && Arrays.equals(Arrays.copyOf(ids, promptIds.length), promptIds);
            for (int j = 0; leads && j < promptIds.length; j++) {
                leads = tokens.mask()[i][j] == 1;
            }
            if (!leads) {
                throw new IllegalArgumentException("LLM tokens of caption " + i + " " + Arrays.toString(
                        Arrays.copyOf(ids, Math.min(ids.length, promptIds.length + 2))) + "… do not start with the"
                        + " text prompt " + Arrays.toString(promptIds) + " (tokenise prompt + caption together,"
                        + " right-padded)");
            }
        }
    }

    @Override
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (alignCount > 0) {
            out.put("align_mse", alignSum / alignCount);
        }
        if (targets != null && targets.isCached()) {
            out.put("target_cache_misses", (double) targets.cacheMisses());
        }
        alignSum = 0;
        alignCount = 0;
        return out;
    }
}
