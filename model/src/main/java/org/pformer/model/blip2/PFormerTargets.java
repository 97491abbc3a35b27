package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.nn.HostArrays;
import org.pformer.model.nn.NoGrad;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.train.TokenBatch;

/**
 * The targets of the alignment loss (P-Former paper Eq. 6): the frozen P-Former's prompt P (B, Q, H_llm) for each
 * caption, computed without gradient from the caption's encoder tokens ({@code batch.text()}, [CLS] … [SEP]).
 *
 * <p>Three ways, chosen by the stage configuration:
 * <ul>
 *   <li>{@link #perStep}: the P-Former in eval mode runs every step (the paper's cost).</li>
 *   <li>{@link #perStepWithDropout}: the reference code's behaviour, the P-Former in train mode (dropout noise on
 *       the targets; {@code pformer_dropout_in_targets: true}). Dropout draws from the engine RNG, which the
 *       trainer re-seeds every micro-batch, so resumption stays exact.</li>
 *   <li>{@link #cached}: eval mode with the [CLS] state read from a {@link PFormerTargetCache}; only
 *       {@code cls_proj → prompt_pooler → llm_proj} run per step. A caption missing from the cache is computed
 *       like {@link #perStep} (and counted, not added, so the cache content never depends on the run's history).</li>
 * </ul>
 */
public final class PFormerTargets {

    private final PFormer pformer;
    private final boolean dropout;
    private final PFormerTargetCache cache;
    private long misses;

    private PFormerTargets(PFormer frozenPformer, boolean dropout, PFormerTargetCache cache) {
        this.pformer = Objects.requireNonNull(frozenPformer, "frozenPformer");
        if (!frozenPformer.trainableParameters().isEmpty()) {
            throw new IllegalArgumentException("the P-Former must be frozen (call freeze()) to give alignment targets");
        }
        if (cache != null && cache.hiddenSize() != frozenPformer.config().encoder().hiddenSize()) {
            throw new IllegalArgumentException("the target cache holds " + cache.hiddenSize() + "-d [CLS] states but"
                    + " the P-Former is " + frozenPformer.config().encoder().hiddenSize() + " wide");
        }
        this.dropout = dropout;
        this.cache = cache;
    }

    /** The frozen P-Former in eval mode, every step. */
    public static PFormerTargets perStep(PFormer frozenPformer) {
        return new PFormerTargets(frozenPformer, false, null);
    }

    /** The frozen P-Former in train mode (dropout on the targets), every step: the reference code. */
    public static PFormerTargets perStepWithDropout(PFormer frozenPformer) {
        return new PFormerTargets(frozenPformer, true, null);
    }

    /** The frozen P-Former in eval mode with its [CLS] states from {@code cache}. */
    public static PFormerTargets cached(PFormer frozenPformer, PFormerTargetCache cache) {
        return new PFormerTargets(frozenPformer, false, Objects.requireNonNull(cache, "cache"));
    }

    public PFormer pformer() {
        return pformer;
    }

    /** Q, the number of prompt positions. */
    public int numPrompt() {
        return pformer.config().numQueries();
    }

    /** H_llm, the prompt width. */
    public int width() {
        return pformer.config().llmHiddenSize();
    }

    public boolean isCached() {
        return cache != null;
    }

    /** Captions that were not in the cache so far (computed per step instead). */
    public long cacheMisses() {
        return misses;
    }

    /** P (B, Q, H_llm) for the batch's captions, without gradient, in {@code manager}. */
    public NDArray targets(ImageTextBatch batch, NDManager manager) {
        checkVocabulary(batch.text());
        // torch.no_grad(): P is a constant of the step (the P-Former is frozen); autograd records nothing for it,
        // even when called inside the trainer's gradient collector, and P never requires a gradient
        try (NoGrad noGrad = NoGrad.enter()) {
            NDArray cls;
            if (cache == null) {
                if (dropout) {
                    pformer.train();
                } else {
                    pformer.eval();
                }
                cls = pformer.cls(batch.text().idsArray(manager), batch.text().maskArray(manager));
            } else {
                cls = HostArrays.floats(manager, new Shape(batch.size(), cache.hiddenSize()), cachedCls(batch, manager));
            }
            return pformer.prompts(cls);
        }
    }

    private float[] cachedCls(ImageTextBatch batch, NDManager manager) {
        int h = cache.hiddenSize();
        float[] out = new float[batch.size() * h];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (!cache.copyInto(batch.captions().get(i), out, i * h)) {
                missing.add(i);
            }
        }
        if (!missing.isEmpty()) {
            misses += missing.size();
            float[] computed = clsStates(pformer, PFormerTargetCache.subset(batch.text(), missing), manager);
            for (int k = 0; k < missing.size(); k++) {
                System.arraycopy(computed, k * h, out, missing.get(k) * h, h);
            }
        }
        return out;
    }

    /** [CLS] states (host copy, row-major (B, H)) of the frozen P-Former in eval mode. */
    static float[] clsStates(PFormer pformer, TokenBatch tokens, NDManager manager) {
        pformer.eval();
        try (NDManager scratch = manager.newSubManager()) {
            return pformer.cls(tokens.idsArray(scratch), tokens.maskArray(scratch)).toFloatArray();
        }
    }

    private void checkVocabulary(TokenBatch text) {
        int vocab = pformer.config().encoder().vocabSize();
        for (int i = 0; i < text.size(); i++) {
            for (long id : text.ids()[i]) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("caption " + i + " has token id " + id + " outside the P-Former's"
                            + " vocabulary of " + vocab + " (the Q-Former and P-Former must share the tokenizer)");
                }
            }
        }
    }
}
