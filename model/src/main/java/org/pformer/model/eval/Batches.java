package org.pformer.model.eval;

import java.io.IOException;

/** The batch loop every evaluator runs: cancellation is checked before each batch, progress reported after it. */
final class Batches {

    /** The work of one batch: items {@code from} (inclusive) to {@code to} (exclusive). */
    @FunctionalInterface
    interface Body {
        void run(int from, int to) throws IOException;
    }

    private Batches() {}

    /**
     * Runs {@code body} over {@code [0, count)} in batches of {@code batchSize}; progress counts from
     * {@code doneBefore} out of {@code total}.
     *
     * @throws EvaluationCancelledException when the thread is interrupted between batches
     */
    static void run(String task, int count, int batchSize, long doneBefore, long total, EvalProgress progress,
            Body body) throws IOException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        for (int from = 0; from < count; from += batchSize) {
            EvaluationCancelledException.checkInterrupted(task, doneBefore + from, total);
            int to = Math.min(count, from + batchSize);
            body.run(from, to);
            progress.progress(doneBefore + to, total);
        }
    }
}
