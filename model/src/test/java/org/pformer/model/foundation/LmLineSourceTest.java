package org.pformer.model.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pformer.model.train.DataCursor;
import org.pformer.model.train.TokenBatch;

/** Epoch shuffling, padding, truncation, resumption and validation of the LM line source. */
class LmLineSourceTest {

    private static final List<long[]> LINES = List.of(
            new long[] {2, 10, 11, 3}, new long[] {2, 12, 3}, new long[] {2, 13, 14, 15, 16, 3}, new long[] {2, 17, 3},
            new long[] {2, 18, 19, 3});

    @Test
    void everyEpochServesEveryLineOnceInAFreshOrder() {
        LmLineSource source = new LmLineSource(LINES, 20, 1, 16, 7);
        List<Long> epoch1 = new ArrayList<>();
        List<Long> epoch2 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            epoch1.add(source.next(1).ids()[0][1]);
        }
        for (int i = 0; i < 5; i++) {
            epoch2.add(source.next(1).ids()[0][1]);
        }
        Set<Long> firstTokens = Set.of(10L, 12L, 13L, 17L, 18L);
        assertThat(new HashSet<>(epoch1)).isEqualTo(firstTokens);
        assertThat(new HashSet<>(epoch2)).isEqualTo(firstTokens);
        assertThat(epoch2).isNotEqualTo(epoch1);
        assertThat(source.cursor()).isEqualTo(new DataCursor("10"));
    }

    @Test
    void batchesArePaddedToTheLongestLineAndCutAtMaxLength() {
        List<TokenBatch> batches = LmLineSource.batches(LINES, 3, 20, 1, 5);
        assertThat(batches).hasSize(2);
        TokenBatch first = batches.get(0);
        assertThat(first.ids()).isDeepEqualTo(new long[][] {{2, 10, 11, 3, 1}, {2, 12, 3, 1, 1}, {2, 13, 14, 15, 16}});
        assertThat(first.mask()).isDeepEqualTo(new long[][] {{1, 1, 1, 1, 0}, {1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}});
        assertThat(batches.get(1).ids()).isDeepEqualTo(new long[][] {{2, 17, 3, 1}, {2, 18, 19, 3}});
    }

    @Test
    void seekingToACursorReplaysTheSameBatches() {
        LmLineSource a = new LmLineSource(LINES, 20, 1, 16, 3);
        a.next(4);
        DataCursor cursor = a.cursor();
        TokenBatch expected = a.next(4);
        LmLineSource b = new LmLineSource(LINES, 20, 1, 16, 3);
        b.seek(cursor);
        assertThat(b.next(4).ids()).isDeepEqualTo(expected.ids());
    }

    @Test
    void badLinesAreRejectedWithTheirPosition() {
        assertThatThrownBy(() -> new LmLineSource(List.of(new long[] {2, 3}, new long[] {2, 25, 3}), 20, 1, 16, 1))
                .hasMessageContaining("LM line 1, token 1: id 25 outside the vocabulary [0, 20)");
        assertThatThrownBy(() -> new LmLineSource(List.of(new long[] {2}), 20, 1, 16, 1))
                .hasMessageContaining("LM line 0 has 1 tokens");
        assertThatThrownBy(() -> new LmLineSource(List.of(), 20, 1, 16, 1)).hasMessageContaining("no LM lines");
    }
}
