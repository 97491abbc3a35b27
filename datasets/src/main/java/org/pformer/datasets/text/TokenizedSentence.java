package org.pformer.datasets.text;

import java.util.Arrays;
import java.util.Objects;

/**
 * One ingested sentence: the clean caption, its P-Former (WordPiece, {@code [CLS] … [SEP]}) ids and its LLM ids
 * ({@code BOS … "\n"}). The arrays are owned by the record; callers must not modify them.
 */
public record TokenizedSentence(String text, int[] pformerIds, int[] llmIds) {

    public TokenizedSentence {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(pformerIds, "pformerIds");
        Objects.requireNonNull(llmIds, "llmIds");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedSentence t && text.equals(t.text) && Arrays.equals(pformerIds, t.pformerIds)
                && Arrays.equals(llmIds, t.llmIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * text.hashCode() + Arrays.hashCode(pformerIds)) + Arrays.hashCode(llmIds);
    }

    @Override
    public String toString() {
        return "TokenizedSentence[" + text + ", pformer=" + Arrays.toString(pformerIds) + ", llm="
                + Arrays.toString(llmIds) + "]";
    }
}
