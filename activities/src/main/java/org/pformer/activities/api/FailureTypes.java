package org.pformer.activities.api;

import io.temporal.failure.ApplicationFailure;

/**
 * Failure types that retrying cannot fix. Activities raise them as non-retryable application failures; the retry
 * policies also list them, so a failure of one of these types ends the stage at once with its message, and the last
 * good checkpoint stays in the store.
 */
public final class FailureTypes {

    /** The pipeline configuration is invalid (the message names the key and the expected form). */
    public static final String INVALID_CONFIG = "InvalidConfig";
    /** An input file cannot be used (the message names the file and what was expected). */
    public static final String INVALID_DATA = "InvalidData";
    /** Training produced a NaN or infinite loss (for example from a bad learning rate). */
    public static final String NON_FINITE_LOSS = "NonFiniteLoss";
    /** A stored artifact does not match its digest and cannot be re-created by this stage. */
    public static final String CORRUPT_ARTIFACT = "CorruptArtifact";

    public static final String[] NON_RETRYABLE = {INVALID_CONFIG, INVALID_DATA, NON_FINITE_LOSS, CORRUPT_ARTIFACT};

    private FailureTypes() {}

    public static ApplicationFailure nonRetryable(String type, String message, Throwable cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(message, type, cause);
    }
}
