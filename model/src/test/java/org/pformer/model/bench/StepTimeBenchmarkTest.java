package org.pformer.model.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pformer.model.foundation.FoundationPresets;

class StepTimeBenchmarkTest {

    @Test
    void worldDefaultIsTheShippedWorldsTowers() {
        assertThat(StepTimeBenchmark.preset("world-default")).isEqualTo(FoundationPresets.worldTiny());
    }

    /** The reference script's SIZES["large"]: 4 heads, 256 wide, 4 layers, FFN 1024 (4 × width) for every tower. */
    @Test
    void largeTowersAreAllTwoHundredFiftySixWideAndFourDeep() {
        FoundationPresets.Preset p = StepTimeBenchmark.preset("large");
        assertThat(p.vision(64).hiddenSize()).isEqualTo(256);
        assertThat(p.vision(64).numLayers()).isEqualTo(4);
        assertThat(p.vision(64).intermediateSize()).isEqualTo(1024);
        assertThat(p.textTower(55).hiddenSize()).isEqualTo(256);
        assertThat(p.textTower(55).numLayers()).isEqualTo(4);
        assertThat(p.textTower(55).intermediateSize()).isEqualTo(1024);
        assertThat(p.llm(53).hiddenSize()).isEqualTo(256);
        assertThat(p.llm(53).numLayers()).isEqualTo(4);
        assertThat(p.llm(53).ffnDim()).isEqualTo(1024);
        assertThat(p.heads()).isEqualTo(4);
    }

    @Test
    void anUnknownSizeNamesTheKnownOnes() {
        assertThatThrownBy(() -> StepTimeBenchmark.preset("huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'huge'").hasMessageContaining("world-default").hasMessageContaining("large");
    }
}
