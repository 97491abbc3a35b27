package org.pformer.model.data;

import java.util.Arrays;
import java.util.List;
import org.pformer.model.train.TokenBatch;

/** Right padding of token id lists into a {@link TokenBatch} (mask 1 on tokens, 0 on padding). */
public final class Padding {

    private Padding() {}

    /** Right-pads to the longest row, cutting rows longer than {@code maxLength}. */
    public static TokenBatch right(List<long[]> rows, long padId, int maxLength) {
        int length = 0;
        for (long[] row : rows) {
            length = Math.max(length, Math.min(row.length, maxLength));
        }
        long[][] ids = new long[rows.size()][length];
        long[][] mask = new long[rows.size()][length];
        for (int i = 0; i < rows.size(); i++) {
            long[] row = rows.get(i);
            int n = Math.min(row.length, length);
            Arrays.fill(ids[i], padId);
            System.arraycopy(row, 0, ids[i], 0, n);
            Arrays.fill(mask[i], 0, n, 1);
        }
        return new TokenBatch(ids, mask);
    }

    /** Right-pads tokenizer output (int ids) to the longest row. */
    public static TokenBatch right(int[][] rows, long padId) {
        return right(Arrays.stream(rows).map(Padding::widen).toList(), padId, Integer.MAX_VALUE);
    }

    /** The ids as longs (what {@link TokenBatch} holds). */
    public static long[] widen(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
