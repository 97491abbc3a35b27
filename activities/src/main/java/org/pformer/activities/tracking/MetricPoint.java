package org.pformer.activities.tracking;

/** One metric value at a step ({@code timestamp} in epoch milliseconds). */
public record MetricPoint(String key, double value, long step, long timestamp) {

    public MetricPoint {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("metric key is missing");
        }
        if (step < 0) {
            throw new IllegalArgumentException("metric " + key + ": step must be >= 0, got " + step);
        }
    }
}
