package org.pformer.model.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pformer.model.Fixtures;
import org.pformer.model.ManagedTest;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.TokenBatch;

/**
 * Greedy decoding and beam search reproduce HF transformers' {@code generate} (4.40.2) token for token on the tiny
 * OPT fixture, with a soft prompt before a left-padded text prompt (the {@code inputs_embeds} path BLIP-2 uses),
 * length and repetition penalties, min/max new tokens and several EOS ids; cached and uncached decoding agree.
 */
class GeneratorParityTest extends ManagedTest {

    /** make_fixtures.py's tiny OPT (opt-2.7b layout at 32 wide). */
    private static final OptConfig TINY = new OptConfig(99, 32, 2, 4, 37, 64, 32, true, 0.1, 0.0, 1, 2);

    private OptForCausalLM load() throws Exception {
        OptForCausalLM opt = new OptForCausalLM(ParameterFactory.forLoading(manager), TINY);
        WeightLoader.load(opt, Fixtures.parity("opt-tiny/model.safetensors"), NameMapping.OPT);
        opt.eval().freeze();
        return opt;
    }

    @Test
    void everyCaseMatchesHuggingFaceGenerateWithAndWithoutTheKeyValueCache() throws Exception {
        OptForCausalLM opt = load();
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("opt-tiny-generate-reference.safetensors"));
                NDManager m = manager.newSubManager()) {
            JsonNode cases = new ObjectMapper().readTree(ref.metadata().get("cases"));
            long pad = Long.parseLong(ref.metadata().get("pad"));
            TokenBatch prompt = new TokenBatch(toLongRows(ref.load("prompt_ids", m)),
                    toLongRows(ref.load("prompt_mask", m)));
            NDArray soft = ref.load("soft_prompt", m);
            List<String> checked = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = cases.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode c = e.getValue();
                long[] eos = new long[c.get("eos").size()];
                for (int i = 0; i < eos.length; i++) {
                    eos[i] = c.get("eos").get(i).asLong();
                }
                GenerationConfig config = new GenerationConfig(c.get("beams").asInt(), c.get("max_new").asInt(),
                        c.get("min_new").asInt(), c.get("length_penalty").asDouble(),
                        c.get("repetition_penalty").asDouble(), eos);
                long[][] expected = toLongRows(ref.load(name + "_sequences", m));
                for (boolean cached : new boolean[] {true, false}) {
                    List<Generated> out = new Generator(opt, cached).generate(c.get("soft").asBoolean() ? soft : null,
                            c.get("text").asBoolean() ? prompt : null, config);
                    for (int b = 0; b < expected.length; b++) {
                        assertThat(hfLayout(out.get(b), eos[0], expected[b].length, pad))
                                .as("%s row %d (cache %s)", name, b, cached).containsExactly(expected[b]);
                    }
                    if (config.numBeams() > 1) {
                        float[] scores = ref.load(name + "_scores", m).toFloatArray();
                        for (int b = 0; b < scores.length; b++) {
                            assertThat(out.get(b).score()).as("%s score %d", name, b)
                                    .isCloseTo(scores[b], org.assertj.core.data.Offset.offset(1e-4));
                        }
                    }
                }
                checked.add(name);
            }
            assertThat(checked).contains("greedy_text", "greedy_penalties", "beam3", "beam4_short", "beam5_soft_only");
        }
    }

    /** HF's output row: the tokens, EOS when finished, then padding to the batch's longest row. */
    private static long[] hfLayout(Generated g, long eos, int width, long pad) {
        long[] row = new long[width];
        Arrays.fill(row, pad);
        long[] tokens = g.tokensWithEos(eos);
        System.arraycopy(tokens, 0, row, 0, Math.min(width, tokens.length));
        return tokens.length > width ? tokens : row;
    }

    @Test
    void incrementalDecodingGivesTheLogitsOfAFullForwardPass() throws Exception {
        OptForCausalLM opt = load();
        try (NDManager m = manager.newSubManager()) {
            long[][] ids = {{1, 1, 2, 11, 57, 23, 80, 9}, {2, 40, 41, 42, 43, 44, 45, 46}};
            long[][] mask = {{0, 0, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
            NDArray full = opt.forward(m.create(ids), m.create(mask)).logits();
            // prompt of 5 positions, then 2 + 1 new ones through the cache (a 2-position step exercises the
            // causal block inside a step)
            OptForCausalLM.IncrementalOutput first = opt.forwardIncremental(opt.embed(m.create(slice(ids, 0, 5))),
                    m.create(slice(mask, 0, 5)), null);
            OptForCausalLM.IncrementalOutput second = opt.forwardIncremental(opt.embed(m.create(slice(ids, 5, 7))),
                    m.create(slice(mask, 0, 7)), first.cache());
            OptForCausalLM.IncrementalOutput third = opt.forwardIncremental(opt.embed(m.create(slice(ids, 7, 8))),
                    m.create(mask), second.cache());
            assertThat(Fixtures.maxAbsDiff(first.logits(), full.get(":, 4, :"))).isLessThan(1e-5f);
            assertThat(Fixtures.maxAbsDiff(second.logits(), full.get(":, 6, :"))).isLessThan(1e-5f);
            assertThat(Fixtures.maxAbsDiff(third.logits(), full.get(":, 7, :"))).isLessThan(1e-5f);
            assertThat(third.cache().length()).isEqualTo(8);
            // selecting rows reorders the cache (beam search)
            OptForCausalLM.KeyValueCache swapped = second.cache().select(m.create(new long[] {1, 0}));
            NDArray swappedLogits = opt.forwardIncremental(opt.embed(m.create(new long[][] {{46}, {9}})),
                    m.create(new long[][] {mask[1], mask[0]}), swapped).logits();
            assertThat(Fixtures.maxAbsDiff(swappedLogits, full.get(":, 7, :").get(m.create(new long[] {1, 0}))))
                    .isLessThan(1e-5f);
        }
    }

    @Test
    void badPromptsAreRefusedWithTheReason() throws Exception {
        OptForCausalLM opt = load();
        Generator g = new Generator(opt);
        TokenBatch rightPadded = new TokenBatch(new long[][] {{2, 5, 1}}, new long[][] {{1, 1, 0}});
        assertThatThrownBy(() -> g.generate(null, rightPadded, GenerationConfig.greedy(3, 2)))
                .hasMessageContaining("not left-padded");
        assertThatThrownBy(() -> g.generate(null, null, GenerationConfig.greedy(3, 2)))
                .hasMessageContaining("needs a soft prompt");
        TokenBatch one = new TokenBatch(new long[][] {{2, 5}}, new long[][] {{1, 1}});
        assertThatThrownBy(() -> g.generate(null, one, GenerationConfig.greedy(63, 2)))
                .hasMessageContaining("exceeds the LLM's 64 positions");
        try (NDManager m = manager.newSubManager()) {
            NDArray wrongWidth = m.zeros(new ai.djl.ndarray.types.Shape(1, 2, 16), DataType.FLOAT32);
            assertThatThrownBy(() -> g.generate(wrongWidth, one, GenerationConfig.greedy(3, 2)))
                    .hasMessageContaining("soft prompt must be (B, Q, 32)");
        }
        assertThatThrownBy(() -> GenerationConfig.beams(2, 3, 4, 1, 1, 2)).hasMessageContaining("minNewTokens");
    }

    @Test
    void generationLeavesNoArraysBehind() throws Exception {
        OptForCausalLM opt = load();
        TokenBatch prompt = new TokenBatch(new long[][] {{1, 2, 5}, {2, 7, 8}}, new long[][] {{0, 1, 1}, {1, 1, 1}});
        NDManager params = opt.embedTokens().weight().array().getManager();
        int before = params.getManagedArrays().size();
        new Generator(opt).generate(null, prompt, GenerationConfig.beams(3, 6, 1, -1, 1.2, 2));
        new Generator(opt).generate(null, prompt, GenerationConfig.greedy(6, 2));
        assertThat(params.getManagedArrays().size()).isEqualTo(before);
    }

    private static long[][] slice(long[][] rows, int from, int to) {
        long[][] out = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Arrays.copyOfRange(rows[i], from, to);
        }
        return out;
    }

    private static long[][] toLongRows(NDArray a) {
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        long[] flat = a.toType(DataType.INT64, false).toLongArray();
        long[][] out = new long[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return out;
    }
}
