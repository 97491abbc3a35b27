package org.pformer.activities;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pformer.activities.tracking.ExperimentTracker;
import org.pformer.activities.tracking.MetricPoint;
import org.pformer.activities.tracking.RunKey;
import org.pformer.store.ArtifactRef;

/** An in-memory {@link ExperimentTracker} for activity unit tests: it records calls in order. */
public class RecordingTracker implements ExperimentTracker {

    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<MetricPoint> metrics = new CopyOnWriteArrayList<>();

    @Override
    public void startRun(RunKey run) {
        calls.add("start " + run.key() + (run.parentKey() == null ? "" : " parent=" + run.parentKey()));
    }

    @Override
    public void logParams(RunKey run, Map<String, String> params) {
        calls.add("params " + run.key() + " " + new java.util.TreeMap<>(params));
    }

    @Override
    public void logMetrics(RunKey run, List<MetricPoint> points) {
        metrics.addAll(points);
        calls.add("metrics " + run.key() + " " + points.size());
    }

    @Override
    public void setTags(RunKey run, Map<String, String> tags) {
        calls.add("tags " + run.key() + " " + new java.util.TreeMap<>(tags));
    }

    @Override
    public void logArtifact(RunKey run, String artifactPath, ArtifactRef ref) {
        calls.add("artifact " + run.key() + " " + artifactPath);
    }

    @Override
    public void endRun(RunKey run, String status) {
        calls.add("end " + run.key() + " " + status);
    }

    @Override
    public boolean drain(Duration timeout) {
        return true;
    }

    @Override
    public void close() {
    }
}
