package org.pformer.model.pformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensorsWriter;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.Objective;
import org.pformer.model.train.TokenBatch;

class PFormerTest extends ManagedTest {

    private static final TinySentenceWorld WORLD = new TinySentenceWorld();
    

    private PFormerConfig config() {
        return PFormerConfig.defaults(BertConfig.tiny(WORLD.encoderVocab()), 64, TinySentenceWorld.MASK_ID);
    }

    @Test
    void promptHasShapeBatchByQueriesByLlmWidth() {
        PFormer p = new PFormer(ParameterFactory.random(manager, 1), config());
        TokenBatch t = WORLD.encode(List.of("a red circle", "there is a blue star"));
        NDArray cls = p.cls(t.idsArray(manager), t.maskArray(manager));
        assertThat(cls.getShape()).isEqualTo(new Shape(2, 64));
        assertThat(p.prompts(cls).getShape()).isEqualTo(new Shape(2, 32, 64));
        NDArray z = p.textFeatures(cls);
        assertThat(z.getShape()).isEqualTo(new Shape(2, 256));
        assertThat(z.square().sum(new int[] {1}).toFloatArray()).containsExactly(new float[] {1, 1}, within(1e-5f));
        assertThat(p.namedParameters()).containsKeys("bert.encoder.layer.0.attention.self.query.weight",
                "cls_proj.weight", "prompt_pooler.weight", "llm_proj.weight", "text_proj.weight", "temp");
        assertThat(p.namedParameters().get("cls_proj.weight").shape()).isEqualTo(new Shape(32 * 64, 64));
    }

    @Test
    void temperatureStartsAt007AndIsClampedIntoTheBlip2Range() {
        PFormer p = new PFormer(ParameterFactory.random(manager, 1), config());
        assertThat(p.temperature().array().getFloat()).isCloseTo(0.07f, within(1e-7f));
        p.temperature().array().muli(0).addi(2f);
        p.clampTemperature();
        assertThat(p.temperature().array().getFloat()).isEqualTo(0.5f);
        p.temperature().array().muli(0).addi(-1f);
        p.clampTemperature();
        assertThat(p.temperature().array().getFloat()).isEqualTo(0.001f);
    }

    @Test
    void maskCorruptionSparesClsAndPaddingAndHitsAboutAQuarter() {
        TokenBatch t = WORLD.encode(Collections.nCopies(400, "there is a red circle"));
        long[][] out = PFormerObjective.corrupt(t, 0.25, 4, new SplittableRandom(1));
        int masked = 0;
        int eligible = 0;
        for (int i = 0; i < out.length; i++) {
            assertThat(out[i][0]).isEqualTo(2);
            for (int j = 1; j < out[i].length; j++) {
                if (t.mask()[i][j] == 0) {
                    assertThat(out[i][j]).isEqualTo(0);
                } else {
                    eligible++;
                    if (out[i][j] == 4) {
                        masked++;
                    }
                }
            }
        }
        assertThat((double) masked / eligible).isCloseTo(0.25, within(0.03));
    }

    @Test
    void bothContrastVariantsGiveThreeFiniteLosses() {
        OptForCausalLM llm = new OptForCausalLM(ParameterFactory.random(manager, 2), OptConfig.tiny(WORLD.llmVocab()));
        llm.freeze();
        for (ContrastVariant v : ContrastVariant.values()) {
            PFormer p = new PFormer(ParameterFactory.random(manager, 1), config().withNumQueries(4).withContrast(v));
            try (PFormerObjective o = new PFormerObjective(p, llm, manager); NDManager step = manager.newSubManager()) {
                SentenceBatch b = WORLD.batch(List.of("a red circle", "a blue star", "this is a green heart"));
                Map<String, NDArray> losses = o.losses(b, new Objective.Context(step, new SplittableRandom(1), 0, 0));
                assertThat(losses.keySet()).containsExactly("lm", "contrast", "vocab");
                assertThat(losses.values()).allMatch(x -> Float.isFinite(x.getFloat()) && x.getFloat() > 0);
            }
        }
    }

    @Test
    void objectiveRequiresAFrozenLlmOfTheRightWidth() {
        PFormer p = new PFormer(ParameterFactory.random(manager, 1), config());
        OptForCausalLM trainable = new OptForCausalLM(ParameterFactory.random(manager, 2), OptConfig.tiny(30));
        assertThatThrownBy(() -> new PFormerObjective(p, trainable, manager)).hasMessageContaining("must be frozen");
        OptForCausalLM narrow = new OptForCausalLM(ParameterFactory.random(manager, 2),
                new OptConfig(30, 32, 1, 4, 64, 32, 32, true, 0, 0, 1, 2));
        narrow.freeze();
        assertThatThrownBy(() -> new PFormerObjective(p, narrow, manager)).hasMessageContaining("llmHiddenSize 64");
    }

    @Test
    void referenceCodeCheckpointNamesMapOntoOurs() throws Exception {
        PFormer source = new PFormer(ParameterFactory.random(manager, 5), config());
        Map<String, NDArray> blitext = new LinkedHashMap<>();
        source.namedParameters().forEach((n, p) -> blitext.put(n
                .replaceFirst("^prompt_pooler\\.", "Pformer.pooler.0.")
                .replaceFirst("^llm_proj\\.", "Pformer.opt_proj.")
                .replaceFirst("^(cls_proj|text_proj|temp)", "Pformer.$1")
                .replaceFirst("^bert\\.", "Pformer."), p.array()));
        blitext.put("opt_vocab_embeddings", manager.zeros(new Shape(30, 64)));
        blitext.put("opt_model.model.decoder.embed_tokens.weight", manager.zeros(new Shape(30, 64)));
        Path file = Files.createTempFile("blitext", ".safetensors");
        try {
            SafeTensorsWriter.write(file, blitext, Map.of());
            PFormer target = new PFormer(ParameterFactory.forLoading(manager), config());
            var report = WeightLoader.load(target, file,
                    NameMapping.BLITEXT_PFORMER);
            assertThat(report.ignored()).containsExactlyInAnyOrder("opt_vocab_embeddings",
                    "opt_model.model.decoder.embed_tokens.weight");
            source.namedParameters().forEach((n, p) -> assertThat(target.namedParameters().get(n).array()
                    .toFloatArray()).as(n).containsExactly(p.array().toFloatArray()));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void similarityReportFromHandMadeCosines() {
        // sentences 0,1 paraphrases; 2,3 paraphrases
        float[] cos = {
            1, .9f, .1f, .2f,
            .9f, 1, .3f, .0f,
            .1f, .3f, 1, .5f,
            .2f, .0f, .5f, 1};
        SentenceSimilarity.Report r = SentenceSimilarity.fromCosines(cos, new int[] {0, 0, 1, 1});
        assertThat(r.paraphraseCosine()).isCloseTo((.9 * 2 + .5 * 2) / 4, within(1e-6));
        assertThat(r.unrelatedCosine()).isCloseTo((.1 + .2 + .3 + 0 + .1 + .3 + .2 + 0) / 8, within(1e-6));
        assertThat(r.nearestIsParaphrase()).isEqualTo(1.0);
        assertThat(r.asMetrics()).containsKeys("cls_paraphrase_margin", "cls_nearest_is_paraphrase");
        assertThatThrownBy(() -> SentenceSimilarity.fromCosines(new float[] {1, 0, 0, 1}, new int[] {0, 1}))
                .hasMessageContaining("at least two groups");
    }
}
