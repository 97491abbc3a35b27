package org.pformer.model.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pformer.config.TrainConfig;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.vit.VitConfig;

/** Preset lookup and sizes, and how a stage's train config becomes a plan. */
class FoundationPresetsTest {

    @Test
    void presetsAreFoundByTheirConfigNamesAndMatchTheirWidths() {
        FoundationPresets.Preset tiny = FoundationPresets.byName(" World-Tiny ");
        assertThat(tiny).isEqualTo(FoundationPresets.worldTiny());
        assertThat(FoundationPresets.byName("world-small")).isEqualTo(FoundationPresets.worldSmall());
        assertThatThrownBy(() -> FoundationPresets.byName("vit-g"))
                .hasMessageContaining("unknown foundation preset 'vit-g'").hasMessageContaining("world-tiny");

        VitConfig vit = tiny.vision(64);
        assertThat(vit.hiddenSize()).isEqualTo(tiny.visionWidth());
        assertThat(vit.patchSize()).isEqualTo(8);
        assertThat(vit.numPatches()).isEqualTo(64);
        assertThat(tiny.vision(32).patchSize()).isEqualTo(4);
        assertThat(tiny.vision(32).numPatches()).isEqualTo(64);
        assertThatThrownBy(() -> tiny.vision(60)).hasMessageContaining("world.image_size 60")
                .hasMessageContaining("multiple of 8");

        OptConfig llm = tiny.llm(321);
        assertThat(llm.vocabSize()).isEqualTo(321);
        assertThat(llm.hiddenSize()).isEqualTo(tiny.llmWidth()).isEqualTo(llm.wordEmbedProjDim());
        assertThat(llm.padTokenId()).isEqualTo(1);
        assertThat(llm.bosTokenId()).isEqualTo(2);
        ClipConfig clip = tiny.clip(64, 99);
        assertThat(clip.text().vocabSize()).isEqualTo(99);
        assertThat(clip.embedDim()).isEqualTo(tiny.embedDim());
    }

    @Test
    void aTrainConfigBecomesAPlanOfEpochsCappedByMaxSteps() {
        // 1,000 examples at 64 per step: 16 steps an epoch
        TrainingPlan byEpochs = TrainingPlan.from(config(3, 0, 64, 2), 5, 1000);
        assertThat(byEpochs.steps()).isEqualTo(48);
        assertThat(byEpochs.schedule().totalSteps()).isEqualTo(48);
        assertThat(byEpochs.trainerConfig().microBatchSize()).isEqualTo(32);
        assertThat(byEpochs.trainerConfig().accumulationSteps()).isEqualTo(2);
        assertThat(byEpochs.trainerConfig().seed()).isEqualTo(5);
        assertThat(byEpochs.adam().weightDecay()).isEqualTo(0.05);
        assertThat(TrainingPlan.from(config(3, 20, 64, 1), 5, 1000).steps()).isEqualTo(20);
        assertThat(TrainingPlan.from(config(0, 600, 64, 1), 5, 1000).steps()).isEqualTo(600);
        assertThatThrownBy(() -> TrainingPlan.from(config(1, 0, 64, 3), 5, 1000))
                .hasMessageContaining("batch_size 64 is not a multiple of accumulation 3");
        assertThatThrownBy(() -> TrainingPlan.from(config(2, 0, 64, 1), 5, 0)).hasMessageContaining("no steps");
    }

    private static TrainConfig config(int epochs, long maxSteps, int batch, int accumulation) {
        return new TrainConfig(epochs, maxSteps, batch, accumulation, 1e-3, 1e-4, 1e-5, 10, 0.05, 0.9, 0.999, 1.0,
                100, 10);
    }
}
