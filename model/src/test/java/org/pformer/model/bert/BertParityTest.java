package org.pformer.model.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.Fixtures;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.ParameterFactory;

/** Our BERT with the weights of a tiny HF BertForPreTraining reproduces HF's last hidden states. */
class BertParityTest extends ManagedTest {

    /** Matches make_fixtures.py: vocab 99, 32 wide, 2 layers, 4 heads, FFN 37, 64 positions. */
    static final BertConfig TINY = new BertConfig(99, 32, 2, 4, 37, 64, 2, 1e-12, 0.1, 0.1, 0, 0, false);

    

    @Test
    void lastHiddenStatesMatchHuggingFaceWithPadding() throws Exception {
        BertModel bert = new BertModel(ParameterFactory.forLoading(manager), TINY);
        WeightLoader.Report report = WeightLoader.load(bert, Fixtures.parity("bert-tiny/model.safetensors"),
                NameMapping.BERT);
        assertThat(report.loaded()).hasSize(bert.namedParameters().size());
        assertThat(report.ignored()).anyMatch(n -> n.startsWith("cls.")).anyMatch(n -> n.contains("pooler"));
        bert.eval();
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("bert-tiny-reference.safetensors"));
                NDManager step = manager.newSubManager()) {
            NDArray ids = ref.load("input_ids", step);
            NDArray mask = ref.load("attention_mask", step);
            NDArray out = bert.forward(ids, mask);
            assertThat(Fixtures.maxAbsDiff(out, ref.load("last_hidden_state", step))).isLessThanOrEqualTo(1e-4f);
        }
    }

    @Test
    void loaderNamesMissingUnexpectedAndMismatchedTensors() {
        BertConfig wider = new BertConfig(99, 32, 3, 4, 40, 64, 2, 1e-12, 0.1, 0.1, 0, 0, false);
        BertModel bert = new BertModel(ParameterFactory.forLoading(manager), wider);
        assertThatThrownBy(() -> WeightLoader.load(bert, Fixtures.parity("bert-tiny/model.safetensors"),
                NameMapping.BERT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing tensors")
                .hasMessageContaining("'encoder.layer.2.attention.self.query.weight' (32, 32)")
                .hasMessageContaining("shape mismatches")
                .hasMessageContaining("'bert.encoder.layer.0.intermediate.dense.weight': file (37, 32) vs model (40, 32)");

        BertModel noTypes = new BertModel(ParameterFactory.forLoading(manager),
                new BertConfig(99, 32, 2, 4, 37, 64, 0, 1e-12, 0.1, 0.1, 0, 0, false));
        assertThatThrownBy(() -> WeightLoader.load(noTypes, Fixtures.parity("bert-tiny/model.safetensors"),
                NameMapping.BERT))
                .hasMessageContaining("unexpected tensors")
                .hasMessageContaining("'bert.embeddings.token_type_embeddings.weight' (2, 32)");
    }

    @Test
    void allowedMissingParametersKeepTheirValues() throws Exception {
        BertModel deeper = new BertModel(ParameterFactory.random(manager, 7),
                new BertConfig(99, 32, 3, 4, 37, 64, 2, 1e-12, 0.1, 0.1, 0, 0, false));
        Set<String> extra = new java.util.HashSet<>();
        deeper.namedParameters().keySet().stream().filter(n -> n.startsWith("encoder.layer.2.")).forEach(extra::add);
        float[] kept = deeper.namedParameters().get("encoder.layer.2.output.dense.weight").array().toFloatArray();
        float[] replaced = deeper.namedParameters().get("encoder.layer.0.output.dense.weight").array().toFloatArray();

        WeightLoader.Report r = WeightLoader.load(deeper, Fixtures.parity("bert-tiny/model.safetensors"),
                NameMapping.BERT, extra);

        assertThat(r.loaded()).hasSize(deeper.namedParameters().size() - extra.size());
        assertThat(deeper.namedParameters().get("encoder.layer.2.output.dense.weight").array().toFloatArray())
                .containsExactly(kept);
        assertThat(deeper.namedParameters().get("encoder.layer.0.output.dense.weight").array().toFloatArray())
                .isNotEqualTo(replaced);
    }
}
