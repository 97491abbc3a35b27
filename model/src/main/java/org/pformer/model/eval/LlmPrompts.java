package org.pformer.model.eval;

import java.util.Arrays;
import java.util.List;
import org.pformer.model.train.TokenBatch;

/** Text prompts for the frozen LLM, LEFT-padded as LAVIS's {@code Blip2OPT.generate} pads them. */
final class LlmPrompts {

    private LlmPrompts() {}

    /** Rows of ids (each starting with the LLM's BOS) left-padded with {@code padId} to the longest row. */
    static TokenBatch leftPadded(List<int[]> rows, int padId) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no prompts to pad");
        }
        int length = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        if (length == 0) {
            throw new IllegalArgumentException("every prompt is empty (a prompt needs at least the BOS token)");
        }
        long[][] ids = new long[rows.size()][length];
        long[][] mask = new long[rows.size()][length];
        for (int i = 0; i < rows.size(); i++) {
            int[] r = rows.get(i);
            int pad = length - r.length;
            Arrays.fill(ids[i], 0, pad, padId);
            for (int j = 0; j < r.length; j++) {
                ids[i][pad + j] = r[j];
                mask[i][pad + j] = 1;
            }
        }
        return new TokenBatch(ids, mask);
    }
}
