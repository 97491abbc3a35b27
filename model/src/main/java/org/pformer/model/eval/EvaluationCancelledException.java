package org.pformer.model.eval;

import java.util.concurrent.CancellationException;

/**
 * An evaluation stopped because its thread was interrupted (the activity was cancelled or timed out). Thrown
 * between batches: nothing is written, the interrupt flag is set again for the caller.
 */
public final class EvaluationCancelledException extends CancellationException {

    private final long done;
    private final long total;

    public EvaluationCancelledException(String task, long done, long total) {
        super(task + " evaluation cancelled (thread interrupted) after " + done + " of " + total
                + " items; no results were written");
        this.done = done;
        this.total = total;
    }

    public long done() {
        return done;
    }

    public long total() {
        return total;
    }

    /**
     * Throws when the current thread was interrupted, keeping its interrupt status for the caller.
     *
     * @throws EvaluationCancelledException if interrupted
     */
    static void checkInterrupted(String task, long done, long total) {
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new EvaluationCancelledException(task, done, total);
        }
    }
}
