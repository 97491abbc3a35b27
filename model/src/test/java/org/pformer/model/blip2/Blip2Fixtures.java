package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.CausalLmObjective;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.BatchSource;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.Trainer;
import org.pformer.model.vit.VitModel;

/** The frozen networks of the BLIP-2 tests, built deterministically from fixed seeds. */
final class Blip2Fixtures {

    static final TinyImageTextWorld WORLD = new TinyImageTextWorld(3);

    private static Map<String, float[]> llmWeights;

    private Blip2Fixtures() {}

    /**
     * A random (frozen, eval) ViT standing in for a pretrained encoder: its tokens are random projections of the
     * patches. The patch projection is scaled up so that content, not the position embeddings, dominates each
     * token, as in a trained encoder.
     */
    static VitModel frozenVit(NDManager m) {
        VitModel vit = new VitModel(ParameterFactory.random(m, 21), WORLD.vit());
        Parameter patches = vit.namedParameters().get("embeddings.patch_embeddings.projection.weight");
        patches.replace(patches.array().mul(5));
        vit.freeze();
        vit.eval();
        return vit;
    }

    /** A random frozen P-Former (its prompts differ per caption, which is all the alignment tests need). */
    static PFormer frozenPformer(NDManager m, int numQuery) {
        PFormer p = new PFormer(ParameterFactory.random(m, 31), WORLD.pformer(numQuery));
        p.freeze();
        p.eval();
        return p;
    }

    /**
     * The world's small LLM, pre-trained once per JVM on captions repeated twice ("BOS c \n BOS c \n"), so it knows
     * the grammar and carries content from earlier context into a new sentence — what lets a soft prompt steer it.
     */
    static OptForCausalLM frozenLlm(NDManager m) {
        synchronized (Blip2Fixtures.class) {
            if (llmWeights == null) {
                try (NDManager scratch = m.newSubManager()) {
                    OptForCausalLM fresh = new OptForCausalLM(ParameterFactory.random(scratch, 41), WORLD.llm());
                    try (Trainer<TokenBatch> t = new Trainer<>(fresh, new CausalLmObjective(fresh), repeatedCaptions(5),
                            new Trainer.Config(1, 32, 1, new LrSchedule(3e-3, 3e-4, 1e-5, 10, Integer.getInteger("llmSteps", 250)),
                                    AdamW.Hyper.DEFAULT, 1.0), null)) {
                        List<StepMetrics> log = t.train(Integer.getInteger("llmSteps", 250));
                        assertThat(log.get(log.size() - 1).get("lm")).isLessThan(0.5 * log.get(0).get("lm"));
                    }
                    llmWeights = snapshot(fresh);
                }
            }
        }
        OptForCausalLM llm = new OptForCausalLM(ParameterFactory.forLoading(m), WORLD.llm());
        llm.namedParameters().forEach((n, p) -> {
            NDArray staged = m.create(llmWeights.get(n), p.shape());
            p.replace(staged.duplicate()); // engine-owned: an array made from Java data aliases Java memory
            staged.close();
        });
        llm.freeze();
        llm.eval();
        return llm;
    }

    private static BatchSource<TokenBatch> repeatedCaptions(long seed) {
        return new CountingBatchSource<>() {
            @Override
            public TokenBatch next(int batchSize) {
                int length = 2 * (TinyImageTextWorld.LLM_LENGTH + 3);
                long[][] ids = new long[batchSize][length];
                long[][] mask = new long[batchSize][length];
                for (int i = 0; i < batchSize; i++) {
                    Random r = new Random(seed * 1_000_003L + advance(1));
                    String caption = TinyImageTextWorld.caption(r.nextInt(16));
                    String prompt = r.nextBoolean() ? "a photo of" : "";
                    Arrays.fill(ids[i], 1);
                    int k = 0;
                    for (int part = 0; part < 2; part++) {
                        TokenBatch one = WORLD.encodeLlm(List.of(caption), part == 0 ? "" : prompt);
                        for (int j = 0; j < one.length() && one.mask()[0][j] == 1; j++) {
                            ids[i][k] = one.ids()[0][j];
                            mask[i][k++] = 1;
                        }
                    }
                }
                return new TokenBatch(ids, mask);
            }
        };
    }

    static Map<String, float[]> snapshot(Module module) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : module.namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().array().toFloatArray());
        }
        return out;
    }
}
