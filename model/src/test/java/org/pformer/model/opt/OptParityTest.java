package org.pformer.model.opt;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.Fixtures;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.pformer.PFormerLosses;

/** Our OPT decoder with a tiny HF OPTForCausalLM's weights reproduces HF's hidden states, logits and LM loss. */
class OptParityTest extends ManagedTest {

    /** Matches make_fixtures.py (opt-2.7b layout at 32 wide). */
    static final OptConfig TINY = new OptConfig(99, 32, 2, 4, 37, 64, 32, true, 0.1, 0.0, 1, 2);

    

    private OptForCausalLM load(String dir) throws Exception {
        OptForCausalLM opt = new OptForCausalLM(ParameterFactory.forLoading(manager), TINY);
        WeightLoader.Report r = WeightLoader.load(opt, Fixtures.parity(dir + "/model.safetensors"), NameMapping.OPT);
        assertThat(r.loaded()).hasSize(opt.namedParameters().size());
        opt.eval().freeze();
        return opt;
    }

    @Test
    void leftAndRightPaddedIdsMatchHuggingFace() throws Exception {
        OptForCausalLM opt = load("opt-tiny");
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("opt-tiny-reference.safetensors"));
                NDManager step = manager.newSubManager()) {
            for (String tag : new String[] {"left", "right"}) {
                NDArray ids = ref.load(tag + "_input_ids", step);
                NDArray mask = ref.load(tag + "_attention_mask", step);
                OptForCausalLM.Output out = opt.forward(ids, mask);
                // every position, padded ones included, as HF computes them
                assertThat(Fixtures.maxAbsDiff(out.lastHiddenState(), ref.load(tag + "_last_hidden_state", step)))
                        .as(tag + " hidden").isLessThanOrEqualTo(1e-4f);
                assertThat(Fixtures.maxAbsDiff(out.logits(), ref.load(tag + "_logits", step)))
                        .as(tag + " logits").isLessThanOrEqualTo(1e-4f);
            }
        }
    }

    @Test
    void softPromptInputsEmbedsPathMatchesLogitsAndLmLoss() throws Exception {
        OptForCausalLM opt = load("opt-tiny");
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("opt-tiny-reference.safetensors"));
                NDManager step = manager.newSubManager()) {
            NDArray prompt = ref.load("prompt", step);
            NDArray ids = ref.load("right_input_ids", step);
            NDArray mask = ref.load("right_attention_mask", step);
            long b = ids.getShape().get(0);
            long q = prompt.getShape().get(1);
            NDArray embeds = prompt.concat(opt.embed(ids), 1);
            NDArray fullMask = step.ones(new Shape(b, q), DataType.INT64).concat(mask, 1);
            OptForCausalLM.Output out = opt.forwardEmbeds(embeds, fullMask);
            assertThat(Fixtures.maxAbsDiff(out.logits(), ref.load("prompt_logits", step))).isLessThanOrEqualTo(1e-4f);

            // HF's causal-LM loss: shift by one, ignore -100 (prompt and padding)
            NDArray labels = step.full(new Shape(b, q), -100L).concat(Functional.maskedLabels(ids, mask), 1);
            float loss = Functional.nextTokenLoss(out.logits(), labels).getFloat();
            assertThat(Math.abs(loss - ref.load("prompt_lm_loss", step).getFloat(0))).isLessThanOrEqualTo(1e-4f);
            // the P-Former's L_lm (logits only from the last prompt position on) gives HF's loss too
            float lm = PFormerLosses.lmLoss(opt, prompt, ids, mask).getFloat();
            assertThat(Math.abs(lm - ref.load("prompt_lm_loss", step).getFloat(0))).isLessThanOrEqualTo(1e-4f);
        }
    }

    @Test
    void fp16AndBf16CheckpointsLoadIntoFloat32AndStayClose() throws Exception {
        OptForCausalLM fp32 = load("opt-tiny");
        OptForCausalLM fromF16 = load("opt-tiny-fp16");
        OptForCausalLM fromBf16 = load("opt-tiny-bf16");
        assertThat(fromBf16.dataType()).isEqualTo(DataType.FLOAT32);
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("opt-tiny-reference.safetensors"));
                NDManager step = manager.newSubManager()) {
            NDArray ids = ref.load("right_input_ids", step);
            NDArray mask = ref.load("right_attention_mask", step);
            NDArray exact = fp32.forward(ids, mask).logits();
            assertThat(Fixtures.maxAbsDiff(fromF16.forward(ids, mask).logits(), exact)).isLessThan(5e-3f);
            assertThat(Fixtures.maxAbsDiff(fromBf16.forward(ids, mask).logits(), exact)).isLessThan(3e-2f);
        }
    }

    @Test
    void frozenDecoderCastToFloat16RunsOnCpuAndStaysCloseToFloat32() throws Exception {
        OptForCausalLM fp32 = load("opt-tiny");
        OptForCausalLM half = load("opt-tiny");
        half.castFrozen(DataType.FLOAT16);
        assertThat(half.dataType()).isEqualTo(DataType.FLOAT16);
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("opt-tiny-reference.safetensors"));
                NDManager step = manager.newSubManager()) {
            NDArray ids = ref.load("left_input_ids", step);
            NDArray mask = ref.load("left_attention_mask", step);
            OptForCausalLM.Output h = half.forward(ids, mask);
            assertThat(h.logits().getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(Fixtures.maxAbsDiff(h.logits(), fp32.forward(ids, mask).logits())).isLessThan(5e-3f);
        }
    }

    @Test
    void positionsComeFromTheAttentionMaskWithOffsetTwoUnderLeftPadding() {
        try (NDManager m = manager.newSubManager()) {
            NDArray mask = m.create(new long[][] {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}, {0, 1, 1, 0, 0}});
            assertThat(OptPositions.fromAttentionMask(mask).toLongArray())
                    .containsExactly(1, 1, 2, 3, 4, /**/ 2, 3, 4, 5, 6, /**/ 1, 2, 3, 1, 1);
        }
    }
}
