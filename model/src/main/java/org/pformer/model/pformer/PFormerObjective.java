package org.pformer.model.pformer;

import org.pformer.model.train.TokenBatch;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.Objective;

/**
 * Stage 0: total = L_lm + L_contrast + L_vocab (equal weights) for a trainable {@link PFormer} and a frozen
 * causal LM (METHOD.md, stage 0).
 */
public final class PFormerObjective implements Objective<SentenceBatch>, AutoCloseable {

    private final PFormer pformer;
    private final OptForCausalLM llm;
    private final VocabularyTable vocabulary;

    /**
     * @param pformer the trainable P-Former
     * @param frozenLlm the LLM; it must be frozen (it is put in eval mode and kept there)
     * @param manager long-lived manager for the vocabulary table copy
     */
    public PFormerObjective(PFormer pformer, OptForCausalLM frozenLlm, NDManager manager) {
        this.pformer = pformer;
        this.llm = frozenLlm;
        if (!frozenLlm.trainableParameters().isEmpty()) {
            throw new IllegalArgumentException("the LLM must be frozen (call freeze()) before P-Former training");
        }
        long llmWidth = frozenLlm.embedTokens().dim();
        if (llmWidth != pformer.config().llmHiddenSize()) {
            throw new IllegalArgumentException("P-Former llmHiddenSize " + pformer.config().llmHiddenSize()
                    + " does not match the LLM embedding width " + llmWidth);
        }
        frozenLlm.eval();
        this.vocabulary = new VocabularyTable(frozenLlm.embedTokens(), manager);
    }

    @Override
    public Map<String, NDArray> losses(SentenceBatch batch, Context context) {
        NDManager m = context.manager();
        llm.eval();
        PFormerConfig c = pformer.config();
        long[][] encoderIds = c.maskProbability() > 0
                ? corrupt(batch.encoder(), c.maskProbability(), c.maskTokenId(), context.random())
                : batch.encoder().ids();
        NDArray ids = m.create(encoderIds);
        NDArray mask = batch.encoder().maskArray(m);
        NDArray temperature = pformer.temperature().array();
        int b = batch.size();

        NDArray cls;
        NDArray contrast;
        if (c.contrast() == ContrastVariant.SIMCSE) {
            // both dropout views in one pass of 2B rows: rows i and B+i are the positive pair
            NDArray both = pformer.cls(ids.concat(ids, 0), mask.concat(mask, 0));
            cls = both.get(new NDIndex(":{}", b));
            NDArray second = both.get(new NDIndex("{}:", b));
            contrast = PFormerLosses.contrastiveLoss(pformer.textFeatures(cls), pformer.textFeatures(second),
                    temperature);
        } else {
            cls = pformer.cls(ids, mask);
            contrast = PFormerLosses.selfContrastiveLoss(pformer.textFeatures(cls), temperature,
                    c.selfContrastLabelSmoothing());
        }
        NDArray prompt = pformer.prompts(cls);
        NDArray lm = PFormerLosses.lmLoss(llm, prompt, batch.llm().idsArray(m), batch.llm().maskArray(m));
        NDArray vocab = PFormerLosses.vocabLoss(prompt, vocabulary);
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("lm", lm);
        out.put("contrast", contrast);
        out.put("vocab", vocab);
        return out;
    }

    /**
     * Reference-code input corruption: each token except position 0 ([CLS]) and padding becomes [MASK] with
     * probability {@code p}; the LLM target is left clean.
     */
    static long[][] corrupt(TokenBatch tokens, double p, int maskTokenId, RandomGenerator random) {
        long[][] out = new long[tokens.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = tokens.ids()[i].clone();
            for (int j = 1; j < out[i].length; j++) {
                if (tokens.mask()[i][j] == 1 && random.nextDouble() < p) {
                    out[i][j] = maskTokenId;
                }
            }
        }
        return out;
    }

    @Override
    public void beforeStep() {
        pformer.clampTemperature();
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.of("temperature", (double) pformer.temperature().array().getFloat());
    }

    public VocabularyTable vocabulary() {
        return vocabulary;
    }

    @Override
    public void close() {
        vocabulary.close();
    }
}
