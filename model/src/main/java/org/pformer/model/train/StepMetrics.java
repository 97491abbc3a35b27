package org.pformer.model.train;

import java.util.Map;

/** Metrics of one completed optimizer step (losses, lr, grad norm, timings), by name. */
public record StepMetrics(long step, Map<String, Double> values) {

    public StepMetrics {
        values = Map.copyOf(values);
    }

    public double get(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + name + "' at step " + step + "; have " + values.keySet());
        }
        return v;
    }
}
