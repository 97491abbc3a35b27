package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.pformer.PFormerLosses;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.BatchSource;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.Objective;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.Trainer;
import org.pformer.model.vit.VitModel;

/** The frozen networks of the BLIP-2 tests, built deterministically from fixed seeds. */
final class Blip2Fixtures {

    private static final String[] COLOURS = TinyImageTextWorld.COLOURS;
    private static final String[] SHAPES = TinyImageTextWorld.SHAPES;

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
     * The world's small LLM, pre-trained once per JVM to read a soft prompt: jointly with a table of learned
     * {@link #LLM_PREFIX}-token prefixes, one per caption, it learns "prefix → BOS c \n" (the table is then
     * discarded). A real LLM follows soft prompts because it is large; a 2-layer one only does so when it has learned
     * to attend to a prefix, and that is what lets stage 2 steer it from images.
     */
    static OptForCausalLM frozenLlm(NDManager m) {
        synchronized (Blip2Fixtures.class) {
            if (llmWeights == null) {
                try (NDManager scratch = m.newSubManager()) {
                    PrefixedLm fresh = new PrefixedLm(ParameterFactory.random(scratch, 41));
                    int steps = 150;
                    try (Trainer<TokenBatch> t = new Trainer<>(fresh, fresh, cyclingCaptions(),
                            new Trainer.Config(1, 16, 1, new LrSchedule(3e-3, 3e-4, 1e-5, 10, steps),
                                    AdamW.Hyper.DEFAULT, 1.0), null)) {
                        List<StepMetrics> log = t.train(steps);
                        assertThat(log.get(log.size() - 1).get("lm")).isLessThan(0.05); // the prefix determines the caption
                    }
                    llmWeights = snapshot(fresh.llm);
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

    /** Soft-prompt length the fixture LLM was pre-trained with (the stage-2 tests' Q). */
    static final int LLM_PREFIX = 4;

    /** The LLM and a per-caption prefix table, trained together (prefix → caption). */
    private static final class PrefixedLm extends Module implements Objective<TokenBatch> {
        final OptForCausalLM llm;
        final Parameter prefixes;

        PrefixedLm(ParameterFactory f) {
            llm = addChild("llm", new OptForCausalLM(f, WORLD.llm()));
            prefixes = addParameter(f, "prefixes", new Shape(16, LLM_PREFIX, WORLD.llm().hiddenSize()),
                    ParameterFactory.NORMAL_002);
        }

        @Override
        public Map<String, NDArray> losses(TokenBatch batch, Context context) {
            NDManager m = context.manager();
            long[] concept = new long[batch.size()];
            for (int i = 0; i < batch.size(); i++) { // BOS a colour shape \n
                concept[i] = (batch.ids()[i][2] - WORLD.llmWords(COLOURS[0])[0]) * SHAPES.length
                        + batch.ids()[i][3] - WORLD.llmWords(SHAPES[0])[0];
            }
            NDArray prefix = prefixes.array().get(m.create(concept));
            return Map.of("lm", PFormerLosses.lmLoss(llm, prefix, batch.idsArray(m), batch.maskArray(m)));
        }
    }

    private static BatchSource<TokenBatch> cyclingCaptions() {
        return new CountingBatchSource<>() {
            @Override
            public TokenBatch next(int batchSize) {
                List<String> chosen = new ArrayList<>();
                for (int i = 0; i < batchSize; i++) {
                    chosen.add(TinyImageTextWorld.caption((int) (advance(1) % 16))); // every caption in every batch of 16
                }
                return WORLD.encodeLlm(chosen, "");
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
