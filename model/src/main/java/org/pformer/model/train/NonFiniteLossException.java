package org.pformer.model.train;

/** A loss became NaN or infinite: training cannot continue from this state (not retryable as is). */
public final class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NonFiniteLossException(String message) {
        super(message);
    }
}
