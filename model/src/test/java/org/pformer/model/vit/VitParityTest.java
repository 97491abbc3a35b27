package org.pformer.model.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.Fixtures;
import org.pformer.model.io.NameMapping;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.ParameterFactory;

/** Our ViT with a tiny HF ViTModel's weights reproduces HF's last hidden states ([CLS] + patches). */
class VitParityTest extends ManagedTest {

    static final VitConfig TINY = new VitConfig(32, 8, 3, 32, 2, 4, 37, 1e-12, 0.0, 0.0, true);

    

    @Test
    void lastHiddenStatesMatchHuggingFace() throws Exception {
        VitModel vit = new VitModel(ParameterFactory.forLoading(manager), TINY);
        WeightLoader.Report r = WeightLoader.load(vit, Fixtures.parity("vit-tiny/model.safetensors"), NameMapping.VIT);
        assertThat(r.ignored()).containsExactlyInAnyOrder("pooler.dense.weight", "pooler.dense.bias");
        vit.eval();
        try (SafeTensors ref = SafeTensors.open(Fixtures.parity("vit-tiny-reference.safetensors"));
                NDManager step = manager.newSubManager()) {
            NDArray out = vit.forward(ref.load("pixel_values", step));
            assertThat(out.getShape()).isEqualTo(new Shape(2, TINY.numPatches() + 1, 32));
            assertThat(Fixtures.maxAbsDiff(out, ref.load("last_hidden_state", step))).isLessThanOrEqualTo(1e-4f);
        }
    }

    @Test
    void evaLayoutCheckpointLoadsThroughTheEvaViewAndMatches() throws Exception {
        VitConfig eva = new VitConfig(32, 8, 3, 32, 2, 4, 37, 1e-12, 0.0, 0.0, false);
        VitModel vit = new VitModel(ParameterFactory.forLoading(manager), eva);
        try (SafeTensors file = SafeTensors.open(Fixtures.parity("eva-vit-tiny.safetensors"));
                SafeTensors ref = SafeTensors.open(Fixtures.parity("eva-vit-tiny-reference.safetensors"))) {
            WeightLoader.Report r = WeightLoader.load(vit, EvaVitWeights.of(file, eva), NameMapping.IDENTITY,
                    java.util.Set.of());
            assertThat(r.loaded()).hasSize(vit.namedParameters().size());
            vit.eval();
            NDArray out = vit.forward(ref.load("pixel_values", manager));
            assertThat(Fixtures.maxAbsDiff(out, ref.load("layer2_output", manager))).isLessThanOrEqualTo(1e-4f);

            // three layers would need blocks.3: the view names what is missing
            VitConfig deeper = new VitConfig(32, 8, 3, 32, 4, 4, 37, 1e-12, 0.0, 0.0, false);
            assertThatThrownBy(() -> EvaVitWeights.of(file, deeper)).hasMessageContaining("blocks.3.attn.qkv.weight");
        }
    }

    @Test
    void rejectsImagesOfTheWrongSize() {
        VitModel vit = new VitModel(ParameterFactory.random(manager, 1), TINY);
        try (NDManager step = manager.newSubManager()) {
            NDArray wrong = step.zeros(new Shape(1, 3, 16, 16));
            assertThatThrownBy(() -> vit.forward(wrong)).hasMessageContaining("expected images (B, 3, 32, 32)");
        }
    }

    @Test
    void vitGPresetHasBlip2Geometry() {
        VitConfig g = VitConfig.vitG();
        assertThat(g.numPatches() + 1).isEqualTo(257);
        assertThat(g.hiddenSize()).isEqualTo(1408);
    }
}
