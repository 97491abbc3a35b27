package org.pformer.model.pformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pformer.model.nn.Functional;
import org.pformer.model.opt.OptForCausalLM;

/** The three P-Former losses (paper Eq. 4–5 and §3.1), each usable and tested on its own. */
public final class PFormerLosses {

    private PFormerLosses() {}

    /**
     * L_lm (paper Eq. 4): the frozen LLM reads [P ; embed(caption)] with attention mask 1 over the Q prompt
     * positions; next-token cross-entropy on the caption tokens only (prompt positions and padding are labelled
     * −100). The caption ids already contain the LLM's BOS (a target: the last prompt position predicts it) and
     * the trailing "\n".
     *
     * @param llm frozen causal LM (any precision; logits come back in FLOAT32)
     * @param prompt P (B, Q, H_llm), FLOAT32, trainable
     * @param llmIds (B, T) caption ids
     * @param llmMask (B, T) 0/1 padding mask
     */
    public static NDArray lmLoss(OptForCausalLM llm, NDArray prompt, NDArray llmIds, NDArray llmMask) {
        return lmLoss(llm, prompt, llmIds, llmMask, 0);
    }

    /**
     * As {@link #lmLoss(OptForCausalLM, NDArray, NDArray, NDArray)}, with the first {@code ignoredLeadingTokens}
     * caption tokens also excluded from the loss (BLIP-2 stage 2 with a text prompt: BOS and the prompt tokens are
     * read but not predicted, LAVIS {@code blip2_opt.py}).
     */
    public static NDArray lmLoss(OptForCausalLM llm, NDArray prompt, NDArray llmIds, NDArray llmMask,
            int ignoredLeadingTokens) {
        NDManager m = llmIds.getManager();
        long b = llmIds.getShape().get(0);
        long q = prompt.getShape().get(1);
        NDArray embeds = prompt.concat(llm.embed(llmIds), 1);
        NDArray mask = m.ones(new Shape(b, q), DataType.INT64).concat(llmMask.toType(DataType.INT64, false), 1);
        // only the last prompt position (it predicts BOS) and the caption positions need logits: (B, 1+T, V)
        NDArray logits = llm.forwardEmbeds(embeds, mask, (int) q - 1).logits();
        NDArray labels = lmLabels(llmIds, llmMask, 1);
        if (ignoredLeadingTokens > 0) {
            if (ignoredLeadingTokens >= llmIds.getShape().get(1)) {
                throw new IllegalArgumentException("all " + llmIds.getShape().get(1) + " caption tokens would be"
                        + " ignored (" + ignoredLeadingTokens + " leading prompt tokens)");
            }
            labels.set(new NDIndex(":, 1:{}", 1 + ignoredLeadingTokens), Functional.IGNORE_INDEX);
        }
        return Functional.nextTokenLoss(logits, labels);
    }

    /**
     * Labels (B, P+T) for P leading prompt positions: −100 on the prompt positions and on padding, the caption id
     * elsewhere.
     */
    static NDArray lmLabels(NDArray llmIds, NDArray llmMask, int numPrompt) {
        NDArray caption = Functional.maskedLabels(llmIds, llmMask);
        return llmIds.getManager().full(new Shape(llmIds.getShape().get(0), numPrompt), Functional.IGNORE_INDEX,
                DataType.INT64).concat(caption, 1);
    }

    /**
     * L_contrast, SimCSE form (paper): z1 and z2 (B, D) are normalised features of two dropout views of the same
     * B sentences; InfoNCE over in-batch negatives: CE(z1·z2ᵀ / temp, arange(B)).
     */
    public static NDArray contrastiveLoss(NDArray z1, NDArray z2, NDArray temperature) {
        NDArray logits = z1.matMul(z2.transpose()).div(temperature);
        return Functional.crossEntropy(logits, arangeLabels(z1), 0);
    }

    /**
     * L_contrast, reference-code form: logits = z·stopgrad(z)ᵀ / temp, target = own index, label smoothing
     * (0.1). Only pushes different sentences apart and tunes the temperature.
     */
    public static NDArray selfContrastiveLoss(NDArray z, NDArray temperature, double labelSmoothing) {
        NDArray logits = z.matMul(z.stopGradient().transpose()).div(temperature);
        return Functional.crossEntropy(logits, arangeLabels(z), labelSmoothing);
    }

    /**
     * L_vocab: each prompt vector x (rows of P flattened to (B·Q, H_llm)) is pulled towards its nearest row of
     * the frozen LLM embedding table (squared Euclidean distance); loss = mean((x − stopgrad(e_nearest))²). No
     * straight-through estimator.
     */
    public static NDArray vocabLoss(NDArray prompt, VocabularyTable table) {
        long h = prompt.getShape().get(prompt.getShape().dimension() - 1);
        NDArray x = prompt.reshape(-1, h);
        NDArray nearest = table.rows(table.nearest(x)).stopGradient();
        return x.sub(nearest).square().mean();
    }

    private static NDArray arangeLabels(NDArray z) {
        return z.getManager().arange(0, (int) z.getShape().get(0), 1, DataType.INT64);
    }
}
