package org.pformer.model.foundation;

import java.util.Map;

/**
 * Held-out language-model quality: token-weighted mean next-token cross-entropy (nats) and its exponential.
 *
 * @param meanNll Σ NLL / tokens over every non-padded target token (each line's first token, BOS, is context only)
 * @param tokens target tokens scored
 */
public record Perplexity(double meanNll, long tokens) {

    public double perplexity() {
        return Math.exp(meanNll);
    }

    public Map<String, Double> asMetrics(String prefix) {
        return Map.of(prefix + "nll", meanNll, prefix + "perplexity", perplexity());
    }
}
