package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What a training stage optimises: the loss terms of one micro-batch. The trainer sums the terms (they are
 * equally weighted unless the objective scales them itself), backpropagates, clips, steps the optimizer.
 *
 * @param <B> the batch type
 */
public interface Objective<B> {

    /** Per-micro-batch context: the per-step manager for inputs and a seeded generator for data-side noise. */
    record Context(NDManager manager, RandomGenerator random, long step, int microBatch) {}

    /**
     * Named scalar loss terms for one micro-batch, computed inside the gradient collector. Intermediates must be
     * created in (or derived from arrays in) {@code context.manager()}.
     */
    Map<String, NDArray> losses(B batch, Context context);

    /** Called before each optimizer step outside autograd (e.g. to clamp a temperature). */
    default void beforeStep() {}

    /** Extra scalar metrics reported with each step (e.g. the temperature). */
    default Map<String, Double> metrics() {
        return Map.of();
    }
}
