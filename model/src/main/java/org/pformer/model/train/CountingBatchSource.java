package org.pformer.model.train;

/**
 * A {@link BatchSource} whose position is a single counter (examples or batches served) and whose batches are a
 * pure function of it, so the cursor is just that number.
 *
 * @param <B> the batch type
 */
public abstract class CountingBatchSource<B> implements BatchSource<B> {

    private long position;

    /** The current counter value: what the next batch will be computed from. */
    protected final long position() {
        return position;
    }

    /** Advances the counter by {@code n} and returns its value before the advance. */
    protected final long advance(long n) {
        long before = position;
        position += n;
        return before;
    }

    @Override
    public final DataCursor cursor() {
        return new DataCursor(Long.toString(position));
    }

    @Override
    public final void seek(DataCursor cursor) {
        try {
            position = Long.parseLong(cursor.value());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor '" + cursor.value() + "' is not a position of "
                    + getClass().getSimpleName(), e);
        }
        if (position < 0) {
            throw new IllegalArgumentException("negative cursor " + position);
        }
    }
}
