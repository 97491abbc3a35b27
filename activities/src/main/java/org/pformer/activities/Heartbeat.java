package org.pformer.activities;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityCompletionException;
import java.util.Optional;
import org.pformer.activities.api.StageProgress;

/** How a stage reports liveness and learns that it should stop. */
public interface Heartbeat {

    /**
     * Reports progress. Returns normally while the stage should go on.
     *
     * @throws ActivityCompletionException when the stage was cancelled (or paused) or its attempt is no longer current
     */
    void beat(StageProgress progress);

    /** The details of the last heartbeat of a previous attempt of this activity, if any. */
    Optional<StageProgress> previousAttempt();

    /** The Temporal activity context of the calling thread. */
    static Heartbeat temporal() {
        ActivityExecutionContext ctx = Activity.getExecutionContext();
        return new Heartbeat() {
            @Override
            public void beat(StageProgress progress) {
                ctx.heartbeat(progress);
            }

            @Override
            public Optional<StageProgress> previousAttempt() {
                return ctx.getHeartbeatDetails(StageProgress.class);
            }
        };
    }

    /** True for the exception a cancelled (or paused) stage sees. */
    static boolean isCancellation(Throwable t) {
        return t instanceof ActivityCanceledException;
    }
}
