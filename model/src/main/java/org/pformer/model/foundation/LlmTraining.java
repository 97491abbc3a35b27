package org.pformer.model.foundation;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.pformer.model.io.NameMapping;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.CausalLmObjective;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.BatchSource;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.TrainingListener;

/**
 * Trains the world's stand-in for OPT-2.7b (BENCHMARK.md): an {@link OptForCausalLM} with plain next-token loss
 * ({@link CausalLmObjective}) on the world's LM corpus, written as {@value #LLM_FILE} with HF OPT names
 * ({@code model.decoder.*}; the LM head is tied to the token embeddings, so, as in HF's own safetensors, there is
 * no {@code lm_head.weight}), loadable with {@link NameMapping#OPT} exactly as real weights.
 */
public final class LlmTraining {

    public static final String LLM_FILE = "llm.safetensors";

    /**
     * @param completed whether all planned steps ran (false: stopped on request, after a checkpoint)
     * @param step optimizer steps completed
     * @param llm the trained LM (null unless completed)
     * @param llmSha256 its SHA-256 (null unless completed)
     * @param before held-out perplexity of the initial model (null without held-out lines)
     * @param after held-out perplexity of the trained model (null unless completed, or without held-out lines)
     * @param lastStepMetrics the last step's metrics in this call (empty if none ran)
     */
    public record Result(boolean completed, long step, Path llm, String llmSha256, Perplexity before,
                         Perplexity after, Map<String, Double> lastStepMetrics) {}

    private LlmTraining() {}

    /**
     * Trains (or resumes) the LM and writes it into {@code options.outputDir()}.
     *
     * @param heldOut held-out batches for the before/after perplexity (may be empty; see {@link
     *     LmLineSource#batches})
     * @param stop polled before every step; when it returns true the run checkpoints and returns
     */
    public static Result train(OptConfig config, TrainingPlan plan, BatchSource<TokenBatch> source,
            List<TokenBatch> heldOut, RunOptions options, TrainingListener listener, BooleanSupplier stop)
            throws IOException {
        try (NDManager params = NDManager.newBaseManager(options.device())) {
            OptForCausalLM lm = new OptForCausalLM(ParameterFactory.random(params, plan.seed()), config);
            Perplexity before = heldOut.isEmpty() ? null : evaluate(lm, heldOut, params);
            FoundationRun.Outcome outcome = FoundationRun.train(lm, new CausalLmObjective(lm), source, plan, options,
                    listener, stop);
            if (!outcome.completed()) {
                return new Result(false, outcome.step(), null, null, before, null, outcome.lastStepMetrics());
            }
            Perplexity after = heldOut.isEmpty() ? null : evaluate(lm, heldOut, params);
            FoundationRun.Written file = FoundationRun.save(lm, options.outputDir().resolve(LLM_FILE),
                    hfConfig(config));
            return new Result(true, outcome.step(), file.file(), file.sha256(), before, after,
                    outcome.lastStepMetrics());
        }
    }

    /**
     * Token-weighted held-out perplexity of {@code lm} (eval mode, no gradient; the module's mode is restored).
     */
    public static Perplexity evaluate(OptForCausalLM lm, List<TokenBatch> batches, NDManager manager) {
        double nll = 0;
        long tokens = 0;
        boolean wasTraining = lm.isTraining();
        lm.eval();
        try {
            for (TokenBatch batch : batches) {
                long targets = 0;
                for (long[] row : batch.mask()) {
                    for (int j = 1; j < row.length; j++) {
                        targets += row[j];
                    }
                }
                if (targets == 0) {
                    continue;
                }
                try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    double mean = CausalLmObjective.loss(lm, batch.idsArray(m), batch.maskArray(m)).getFloat();
                    nll += mean * targets;
                }
                tokens += targets;
            }
        } finally {
            if (wasTraining) {
                lm.train();
            }
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("no held-out target tokens to compute perplexity on");
        }
        return new Perplexity(nll / tokens, tokens);
    }

    /** HF {@code OPTConfig} fields of an {@link OptConfig}. */
    static ObjectNode hfConfig(OptConfig c) {
        ObjectNode n = FoundationRun.JSON.createObjectNode();
        n.put("model_type", "opt");
        n.putArray("architectures").add("OPTForCausalLM");
        n.put("vocab_size", c.vocabSize());
        n.put("hidden_size", c.hiddenSize());
        n.put("num_hidden_layers", c.numLayers());
        n.put("num_attention_heads", c.numHeads());
        n.put("ffn_dim", c.ffnDim());
        n.put("max_position_embeddings", c.maxPositions());
        n.put("word_embed_proj_dim", c.wordEmbedProjDim());
        n.put("do_layer_norm_before", c.layerNormBefore());
        n.put("dropout", c.dropout());
        n.put("attention_dropout", c.attentionDropout());
        n.put("activation_function", "relu");
        n.put("enable_bias", true);
        n.put("layer_norm_elementwise_affine", true);
        n.put("pad_token_id", c.padTokenId());
        n.put("bos_token_id", c.bosTokenId());
        n.put("eos_token_id", c.bosTokenId());
        n.put("tie_word_embeddings", true);
        return n;
    }
}
