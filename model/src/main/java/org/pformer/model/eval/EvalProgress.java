package org.pformer.model.eval;

/**
 * Progress of an evaluation, reported after every batch so that the calling activity can heartbeat. Called on the
 * evaluating thread; must be quick and must not throw.
 */
@FunctionalInterface
public interface EvalProgress {

    /** Reports nothing. */
    EvalProgress NONE = (done, total) -> { };

    /**
     * @param done items finished so far (questions, images, or retrieval rows; see each evaluator)
     * @param total items of the whole evaluation
     */
    void progress(long done, long total);
}
