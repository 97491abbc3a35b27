package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.ManagedTest;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.vit.VitModel;

/** Stage-1 weights round-trip, and stage 2 starts from them with llm_proj = align_proj when ω1 > 0. */
class Blip2WeightsTest extends ManagedTest {

    static final TinyImageTextWorld W = Blip2Fixtures.WORLD;
    static final int Q = 4;

    @TempDir
    Path tmp;

    private OptForCausalLM randomFrozenLlm() {
        OptForCausalLM llm = new OptForCausalLM(ParameterFactory.random(manager, 5), W.llm());
        llm.freeze();
        return llm;
    }

    @Test
    void stageOneWeightsRoundTripAndGiveTheSameRetrievalScores() throws Exception {
        VitModel vit = Blip2Fixtures.frozenVit(manager);
        Blip2Stage1 saved = new Blip2Stage1(ParameterFactory.random(manager, 7), W.qformer(Q), vit, 32);
        Path file = tmp.resolve("stage1.safetensors");
        saved.saveWeights(file);
        Blip2Stage1 loaded = new Blip2Stage1(ParameterFactory.random(manager, 99), W.qformer(Q), vit, 32);
        loaded.loadWeights(file);
        Map<String, float[]> expected = Blip2Fixtures.snapshot(saved);
        assertThat(expected).containsKeys("align_proj.weight", "temp", "query_tokens", "ln_vision.weight")
                .doesNotContainKey("visual_encoder.embeddings.cls_token");
        Blip2Fixtures.snapshot(loaded).forEach((n, v) -> assertThat(v).as(n).containsExactly(expected.get(n)));

        saved.eval();
        loaded.eval();
        try (NDManager m = manager.newSubManager()) {
            ImageTextBatch b = W.batch(new int[] {0, 7, 9}, "");
            NDArray ids = b.text().idsArray(m);
            NDArray mask = b.text().maskArray(m);
            Blip2Stage1.ImageEncoding a = saved.encodeImage(b.pixelsArray(m));
            Blip2Stage1.ImageEncoding c = loaded.encodeImage(b.pixelsArray(m));
            NDArray simA = Blip2Stage1.itcSimilarity(a.features(), saved.encodeText(ids, mask));
            assertThat(simA.getShape().getShape()).containsExactly(3, 3);
            assertThat(Blip2Stage1.itcSimilarity(c.features(), loaded.encodeText(ids, mask)).toFloatArray())
                    .containsExactly(simA.toFloatArray());
            assertThat(loaded.itmPositiveLogit(c.imageEmbeds(), ids, mask).toFloatArray())
                    .containsExactly(saved.itmPositiveLogit(a.imageEmbeds(), ids, mask).toFloatArray());
        }

        Blip2Stage1 noAlign = new Blip2Stage1(ParameterFactory.random(manager, 7), W.qformer(Q), vit, 0);
        assertThatThrownBy(() -> noAlign.loadWeights(file)).hasMessageContaining("align_proj.weight");
    }

    @Test
    void stageTwoStartsFromStageOneWithTheAlignmentProjectionAsItsLlmProjection() throws Exception {
        VitModel vit = Blip2Fixtures.frozenVit(manager);
        Blip2Stage1 stage1 = new Blip2Stage1(ParameterFactory.random(manager, 7), W.qformer(Q), vit, 32);
        Path file = tmp.resolve("stage1.safetensors");
        stage1.saveWeights(file);
        Map<String, float[]> s1 = Blip2Fixtures.snapshot(stage1);

        Blip2Stage2 fromAlign = new Blip2Stage2(ParameterFactory.random(manager, 8), W.qformer(Q), vit,
                randomFrozenLlm());
        fromAlign.initFromStage1(file, true);
        Blip2Fixtures.snapshot(fromAlign).forEach((n, v) -> assertThat(v).as(n)
                .containsExactly(s1.get(n.startsWith("llm_proj.") ? n.replace("llm_proj.", "align_proj.") : n)));
        stage1.eval();
        try (NDManager m = manager.newSubManager()) {
            NDArray pixels = W.batch(new int[] {1, 4}, "").pixelsArray(m);
            NDArray embeds = stage1.imageEmbeds(pixels);
            // the soft prompt stage 2 starts from is exactly the prompt stage 1 aligned to the P-Former's
            fromAlign.eval();
            assertThat(fromAlign.softPrompt(fromAlign.imageEmbeds(pixels)).toFloatArray())
                    .containsExactly(stage1.alignPrompt(stage1.queryOutput(embeds)).toFloatArray());
        }

        Blip2Stage2 fresh = new Blip2Stage2(ParameterFactory.random(manager, 8), W.qformer(Q), vit, randomFrozenLlm());
        float[] freshProjection = fresh.namedParameters().get("llm_proj.weight").array().toFloatArray();
        fresh.initFromStage1(file, false);
        assertThat(fresh.namedParameters().get("llm_proj.weight").array().toFloatArray()).containsExactly(freshProjection);
        assertThat(fresh.namedParameters().get("query_tokens").array().toFloatArray())
                .containsExactly(s1.get("query_tokens"));

        Path plain = tmp.resolve("plain-stage1.safetensors");
        new Blip2Stage1(ParameterFactory.random(manager, 7), W.qformer(Q), vit, 0).saveWeights(plain);
        assertThatThrownBy(() -> fresh.initFromStage1(plain, true)).hasMessageContaining("llm_proj.weight");
    }
}
