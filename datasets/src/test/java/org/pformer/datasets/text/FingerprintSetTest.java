package org.pformer.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FingerprintSetTest {

    @Test
    void addsEachDistinctTextOnceAcrossGrowth() {
        FingerprintSet set = new FingerprintSet(16);
        for (int i = 0; i < 200_000; i++) {
            assertThat(set.add("sentence " + i)).isTrue();
        }
        for (int i = 0; i < 200_000; i += 7) {
            assertThat(set.add("sentence " + i)).isFalse();
        }
        assertThat(set.size()).isEqualTo(200_000);
        assertThat(set.memoryBytes()).isEqualTo(16L * (1 << 19)); // the smallest power of two holding 200k at 75 %
    }

    @Test
    void exactTextsOnly() {
        FingerprintSet set = new FingerprintSet();
        assertThat(set.add("a red circle")).isTrue();
        assertThat(set.add("a red circle ")).isTrue();
        assertThat(set.add("a red Circle")).isTrue();
        assertThat(set.add("")).isTrue();
        assertThat(set.add("")).isFalse();
        assertThat(set.add("a red circle")).isFalse();
    }
}
