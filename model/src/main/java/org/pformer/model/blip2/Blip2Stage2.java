package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.pformer.model.generate.GenerationConfig;
import org.pformer.model.generate.Generated;
import org.pformer.model.generate.Generator;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.vit.VitModel;

/**
 * BLIP-2 stage 2 (generative learning, paper Eq. 9) with LAVIS {@code Blip2OPT} parameter names (its
 * {@code opt_proj} is our {@code llm_proj}): the query-only Q-Former, {@code query_tokens}, {@code ln_vision} and
 * {@code llm_proj} (H → the LLM's input width) are trainable; the image encoder and the LLM are frozen, held but not
 * registered. The projected query outputs are the soft prompt of Q tokens the LLM reads before the text.
 */
public final class Blip2Stage2 extends Blip2Model {

    /** Weight-file format tag. */
    public static final String FORMAT = "blip2-stage2/1";

    private final OptForCausalLM llm;
    private final Linear llmProj;

    public Blip2Stage2(ParameterFactory f, QFormerConfig c, VitModel frozenVisionEncoder, OptForCausalLM frozenLlm) {
        super(f, c, frozenVisionEncoder, false);
        this.llm = Objects.requireNonNull(frozenLlm, "frozenLlm");
        if (!frozenLlm.trainableParameters().isEmpty()) {
            throw new IllegalArgumentException("the LLM must be frozen (call freeze()) before BLIP-2 stage 2");
        }
        frozenLlm.eval();
        llmProj = addChild("llm_proj", Linear.withTorchDefaultInit(f, c.hiddenSize(), (int) frozenLlm.embedTokens().dim()));
    }

    @Override
    protected String weightsFormat() {
        return FORMAT;
    }

    public OptForCausalLM llm() {
        return llm;
    }

    /** The soft prompt's width, the LLM's input-embedding width. */
    public int promptWidth() {
        return llmProj.outFeatures();
    }

    /** The soft prompt (B, Q, H_llm) for image tokens (B, N, W): {@code llm_proj(query outputs)}. */
    public NDArray softPrompt(NDArray imageEmbeds) {
        return llmProj.forward(queryOutput(imageEmbeds));
    }

    /**
     * Initialises from stage-1 weights (ours or a LAVIS {@code Blip2Qformer} checkpoint): {@code ln_vision},
     * {@code query_tokens} and the Q-Former's query path carry over; the text path and the stage-1 heads are
     * dropped. With {@code llmProjFromAlign} (ω1 &gt; 0) {@code llm_proj} starts as stage 1's {@code align_proj};
     * otherwise it keeps its fresh initialisation.
     */
    public WeightLoader.Report initFromStage1(Path stage1Weights, boolean llmProjFromAlign) throws IOException {
        if (llmProjFromAlign) {
            return loadWeights(stage1Weights, Blip2Names.STAGE1_TO_STAGE2, Set.of());
        }
        return loadWeights(stage1Weights, Blip2Names.STAGE1_TO_STAGE2_FRESH_PROJECTION,
                Set.of("llm_proj.weight", "llm_proj.bias"));
    }

    /** Loads a LAVIS {@code Blip2OPT} (or BLIText {@code Blip2PformerOPT}) checkpoint converted to safetensors. */
    public WeightLoader.Report loadLavisCheckpoint(Path file) throws IOException {
        return loadWeights(file, Blip2Names.LAVIS_STAGE2, Set.of());
    }

    /**
     * Captioning / VQA: the frozen LLM decodes after [soft prompt ; text prompt] (LAVIS {@code Blip2OPT.generate}).
     * Call outside a gradient collector.
     *
     * @param pixels (B, C, S, S) images
     * @param textPrompt LEFT-padded LLM ids of the text prompt (starting with the LLM's BOS), one row per image
     */
    public List<Generated> generate(NDArray pixels, TokenBatch textPrompt, GenerationConfig config) {
        eval();
        return new Generator(llm).generate(softPrompt(imageEmbeds(pixels)), textPrompt, config);
    }
}
