package org.pformer.cli;

/** An error the user can fix; printed without a stack trace, with the exit code it maps to. */
final class UserError extends RuntimeException {
    final int exitCode;

    UserError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
