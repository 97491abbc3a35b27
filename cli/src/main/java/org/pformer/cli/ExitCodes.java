package org.pformer.cli;

/** The CLI's exit codes. */
final class ExitCodes {
    static final int OK = 0;
    /** The pipeline (or grid) failed or was cancelled. */
    static final int PIPELINE_FAILED = 1;
    /** Bad input: an invalid configuration, an unknown run, a bad option. */
    static final int BAD_INPUT = 2;
    /** A service (Temporal, MLflow, S3) cannot be reached. */
    static final int SERVICE_UNAVAILABLE = 3;

    private ExitCodes() {}
}
