package org.pformer.model.opt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.pformer.model.nn.Functional;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.Objective;

/**
 * Plain next-token training of an {@link OptForCausalLM} on padded token batches (HF's causal-LM loss: logits at
 * position i predict the token at i+1; padding is ignored). Used to train the benchmark world's small LLM before
 * it is frozen.
 */
public final class CausalLmObjective implements Objective<TokenBatch> {

    private final OptForCausalLM lm;

    public CausalLmObjective(OptForCausalLM lm) {
        this.lm = lm;
    }

    @Override
    public Map<String, NDArray> losses(TokenBatch batch, Context context) {
        NDManager m = context.manager();
        NDArray ids = batch.idsArray(m);
        NDArray mask = batch.maskArray(m);
        return Map.of("lm", loss(lm, ids, mask));
    }

    /** Mean next-token cross-entropy over non-padded targets. */
    public static NDArray loss(OptForCausalLM lm, NDArray ids, NDArray mask) {
        return Functional.nextTokenLoss(lm.forward(ids, mask).logits(), Functional.maskedLabels(ids, mask));
    }
}
