package org.pformer.model.pformer;

import org.pformer.model.train.TokenBatch;
import java.util.List;

/**
 * One P-Former training batch: the sentences tokenised for the encoder ([CLS] … [SEP], padded) and for the
 * frozen LLM (BOS … "\n", padded), plus the clean text.
 */
public record SentenceBatch(TokenBatch encoder, TokenBatch llm, List<String> texts) {

    public SentenceBatch {
        texts = List.copyOf(texts);
        if (encoder.size() != llm.size() || encoder.size() != texts.size()) {
            throw new IllegalArgumentException("encoder (" + encoder.size() + "), LLM (" + llm.size() + ") and text ("
                    + texts.size() + ") batch sizes differ");
        }
    }

    public int size() {
        return texts.size();
    }
}
