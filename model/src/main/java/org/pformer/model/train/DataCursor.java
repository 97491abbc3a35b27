package org.pformer.model.train;

import java.util.Objects;

/**
 * An opaque, serialisable position in a training data stream: the batch source writes it, the checkpoint stores
 * it, and {@link BatchSource#seek} resumes from it.
 */
public record DataCursor(String value) {

    public DataCursor {
        Objects.requireNonNull(value, "value");
    }
}
