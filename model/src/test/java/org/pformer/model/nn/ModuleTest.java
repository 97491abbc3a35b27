package org.pformer.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.bert.BertModel;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.AdamW;

class ModuleTest extends ManagedTest {

    

    @Test
    void parameterNamesFollowHuggingFace() {
        BertModel bert = new BertModel(ParameterFactory.forLoading(manager), BertConfig.tiny(50));
        assertThat(bert.namedParameters()).containsKeys("embeddings.word_embeddings.weight",
                "embeddings.LayerNorm.weight", "encoder.layer.1.attention.self.query.weight",
                "encoder.layer.1.attention.output.LayerNorm.bias", "encoder.layer.0.intermediate.dense.weight",
                "encoder.layer.0.output.dense.bias");
        OptForCausalLM opt = new OptForCausalLM(ParameterFactory.forLoading(manager), OptConfig.tiny(50));
        assertThat(opt.namedParameters()).containsKeys("model.decoder.embed_tokens.weight",
                "model.decoder.embed_positions.weight", "model.decoder.layers.1.self_attn.q_proj.weight",
                "model.decoder.layers.0.fc2.bias", "model.decoder.final_layer_norm.weight")
                .doesNotContainKey("lm_head.weight");
        assertThat(opt.namedParameters().get("model.decoder.embed_positions.weight").shape())
                .isEqualTo(new Shape(OptConfig.tiny(50).maxPositions() + 2, 64));
    }

    @Test
    void sizesComeFromPresets() {
        // BERT-base and OPT-2.7b parameter counts (no pooler / tied head), computed without allocating them
        BertConfig b = BertConfig.bertBase();
        long bert = (long) (b.vocabSize() + b.maxPositions() + b.typeVocabSize()) * b.hiddenSize() + 2L * b.hiddenSize()
                + b.numLayers() * (4L * (b.hiddenSize() * b.hiddenSize() + b.hiddenSize()) + 4L * b.hiddenSize()
                        + 2L * b.hiddenSize() * b.intermediateSize() + b.intermediateSize() + b.hiddenSize());
        assertThat(bert).isBetween(108_000_000L, 110_000_000L);
        OptConfig o = OptConfig.opt2_7b();
        assertThat(o.hiddenSize()).isEqualTo(2560);
        assertThat(o.numLayers()).isEqualTo(32);
        assertThat(o.ffnDim()).isEqualTo(10240);
        assertThat(o.vocabSize()).isEqualTo(50272);
    }

    @Test
    void frozenParametersTakeNoGradientAndAreNotTrainable() {
        BertModel bert = new BertModel(ParameterFactory.random(manager, 1), BertConfig.tiny(50));
        bert.embeddings().freeze();
        assertThat(bert.trainableParameters().keySet()).noneMatch(n -> n.startsWith("embeddings."));
        assertThat(bert.trainableParameters()).isNotEmpty();
        try (NDManager step = manager.newSubManager();
                GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray ids = step.create(new long[][] {{2, 7, 9, 3}});
            // a plain sum of LayerNorm outputs has zero gradient: weight the outputs
            NDArray out = bert.forward(ids, step.ones(new Shape(1, 4), DataType.INT64));
            c.backward(out.mul(step.randomNormal(out.getShape())).sum());
        }
        Parameter frozen = bert.namedParameters().get("embeddings.word_embeddings.weight");
        assertThat(frozen.array().hasGradient()).isFalse();
        assertThat(frozen.gradientOrNull()).isNull();
        try (NDArray g = bert.namedParameters().get("encoder.layer.0.attention.self.query.weight").gradientOrNull()) {
            assertThat(g).isNotNull();
            assertThat(g.abs().sum().getFloat()).isGreaterThan(0);
        }
        assertThatThrownBy(() -> new AdamW(bert.namedParameters(), AdamW.Hyper.DEFAULT, manager))
                .hasMessageContaining("frozen parameter 'embeddings.word_embeddings.weight'");
    }

    @Test
    void evalModeDisablesDropout() {
        BertConfig noisy = new BertConfig(50, 32, 1, 4, 64, 16, 2, 1e-12, 0.5, 0.5, 0, 0, false);
        BertModel bert = new BertModel(ParameterFactory.random(manager, 1), noisy);
        NDArray ids = manager.create(new long[][] {{2, 7, 9, 3}});
        NDArray mask = manager.ones(new Shape(1, 4), DataType.INT64);
        bert.train();
        assertThat(bert.forward(ids, mask).toFloatArray()).isNotEqualTo(bert.forward(ids, mask).toFloatArray());
        bert.eval();
        assertThat(bert.isTraining()).isFalse();
        assertThat(bert.forward(ids, mask).toFloatArray()).containsExactly(bert.forward(ids, mask).toFloatArray());
    }

    @Test
    void onlyFrozenModulesChangePrecisionAndBf16IsRefusedClearly() {
        OptForCausalLM opt = new OptForCausalLM(ParameterFactory.random(manager, 1), OptConfig.tiny(50));
        assertThatThrownBy(() -> Precision.FP16.apply(opt)).hasMessageContaining("only frozen modules");
        opt.freeze();
        assertThatThrownBy(() -> Precision.BF16.apply(opt)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("bf16");
        Precision.FP16.apply(opt);
        assertThat(opt.namedParameters().values()).allMatch(p -> p.dataType() == DataType.FLOAT16);
    }

    @Test
    void qformerLayerCrossAttendsFromQueriesOnlyAndUsesTheQueryFeedForward() {
        BertConfig c = new BertConfig(50, 32, 2, 4, 64, 16, 0, 1e-12, 0, 0, 0, 0, false)
                .withQueryCrossAttention(2, 48);
        BertModel qformerLike = new BertModel(ParameterFactory.random(manager, 3), c);
        assertThat(qformerLike.namedParameters().get("encoder.layer.0.crossattention.self.key.weight").shape())
                .isEqualTo(new Shape(32, 48));
        assertThat(qformerLike.namedParameters()).containsKey("encoder.layer.1.intermediate_query.dense.weight")
                .doesNotContainKey("encoder.layer.1.crossattention.self.key.weight");
        qformerLike.eval();
        NDArray queries = manager.randomNormal(new Shape(2, 3, 32));
        NDArray text = manager.randomNormal(new Shape(2, 4, 32));
        NDArray image = manager.randomNormal(new Shape(2, 5, 48));
        NDArray textMask = manager.create(new long[][] {{1, 1, 1, 0}, {1, 1, 0, 0}});
        // uni-modal mask: the query outputs must not depend on the text at all
        NDArray both = qformerLike.encode(queries.concat(text, 1), Masks.uniModal(3, textMask), image, null, 3);
        NDArray alone = qformerLike.encode(queries, null, image, null, 3);
        assertThat(both.getShape()).isEqualTo(new Shape(2, 7, 32));
        float diff = both.get(new NDIndex(":, :3, :")).sub(alone).abs().max().getFloat();
        assertThat(diff).isLessThan(1e-5f);
        BertModel plain = new BertModel(ParameterFactory.random(manager, 3),
                new BertConfig(50, 32, 2, 4, 64, 16, 0, 1e-12, 0, 0, 0, 0, false));
        assertThatThrownBy(() -> plain.encode(queries, null, null, null, 3)).hasMessageContaining("queryFeedForward");
    }
}
