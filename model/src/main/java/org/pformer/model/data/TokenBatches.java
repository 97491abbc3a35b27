package org.pformer.model.data;

import java.util.Arrays;
import org.pformer.model.train.TokenBatch;

/** Building {@link TokenBatch}es from tokenizer output. */
public final class TokenBatches {

    private TokenBatches() {}

    /** Right-pads the rows to the longest one; the mask is 1 on tokens and 0 on padding. */
    public static TokenBatch rightPad(int[][] rows, int padId) {
        int len = 0;
        for (int[] r : rows) {
            len = Math.max(len, r.length);
        }
        long[][] ids = new long[rows.length][len];
        long[][] mask = new long[rows.length][len];
        for (int i = 0; i < rows.length; i++) {
            Arrays.fill(ids[i], padId);
            for (int j = 0; j < rows[i].length; j++) {
                ids[i][j] = rows[i][j];
                mask[i][j] = 1;
            }
        }
        return new TokenBatch(ids, mask);
    }
}
