package org.pformer.model.data;

import java.util.SplittableRandom;

/**
 * The order in which an endless, epoch-by-epoch pass over {@code n} examples visits them: each epoch a fresh
 * permutation drawn from (seed, epoch) only, so the example at any absolute position is a pure function of it and a
 * source resumed at a position continues exactly. Holds one permutation (4 bytes per example) at a time.
 */
final class EpochOrder {

    private final int n;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] order;

    EpochOrder(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("no examples to iterate over");
        }
        this.n = n;
        this.seed = seed;
    }

    /** The example visited at absolute position {@code position} (0-based, across epochs). */
    int at(long position) {
        long epoch = position / n;
        if (epoch != cachedEpoch) {
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            cachedEpoch = epoch;
        }
        return order[(int) (position % n)];
    }
}
