package org.pformer.activities.tracking;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.pformer.store.ArtifactRef;

/**
 * Experiment tracking as the pipeline uses it. Calls never block on the tracking server and never throw because
 * it is down: they are recorded durably and delivered later. A metric point is identified by (run, key, step): it
 * is delivered at most once, so a resumed stage that logs again from its last checkpoint adds no duplicates.
 * Steps of one key must therefore be logged in increasing order.
 */
public interface ExperimentTracker extends AutoCloseable {

    /** Makes sure the run exists (created with its tags, under its parent) and is RUNNING. */
    void startRun(RunKey run);

    void logParams(RunKey run, Map<String, String> params);

    void logMetrics(RunKey run, List<MetricPoint> points);

    void setTags(RunKey run, Map<String, String> tags);

    /** Copies a stored artifact into the run's artifact location under {@code artifactPath}. */
    void logArtifact(RunKey run, String artifactPath, ArtifactRef ref);

    /** Marks the run FINISHED, FAILED or KILLED. */
    void endRun(RunKey run, String status);

    /** Waits up to {@code timeout} for everything recorded so far to reach the server; true if it did. */
    boolean drain(Duration timeout);

    @Override
    void close();
}
