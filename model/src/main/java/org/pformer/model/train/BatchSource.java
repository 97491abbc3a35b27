package org.pformer.model.train;

/**
 * A resumable stream of training batches. {@link #cursor()} is the position of the NEXT batch; after
 * {@code seek(c)} the source yields exactly what it yielded after it last reported {@code c}.
 *
 * @param <B> the batch type
 */
public interface BatchSource<B> {

    /** The next batch of {@code batchSize} examples (a source that cycles through epochs never runs out). */
    B next(int batchSize);

    DataCursor cursor();

    void seek(DataCursor cursor);
}
