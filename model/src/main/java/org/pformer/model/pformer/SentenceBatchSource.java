package org.pformer.model.pformer;

import org.pformer.model.train.BatchSource;

/** The P-Former trainer's input: resumable batches of tokenised sentences (implemented over the corpus shards). */
public interface SentenceBatchSource extends BatchSource<SentenceBatch> {}
