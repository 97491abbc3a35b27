package org.pformer.model.data;

import org.pformer.model.train.BatchSource;

/** Resumable batches of image-text pairs (BLIP-2 stages 1-2, the world's CLIP-style vision encoder). */
public interface ImageTextBatchSource extends BatchSource<ImageTextBatch> {}
