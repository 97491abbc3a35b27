package org.pformer.model.data;

import java.util.SplittableRandom;

/**
 * The order in which a resumable source serves {@code size} examples: an endless sequence of epochs, each a
 * seeded permutation of all examples that depends on (seed, epoch) only, so the example at any absolute position
 * is a pure function of that position. Memory is one {@code int[size]} (the current epoch's permutation).
 */
public final class EpochOrder {

    private final int size;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] permutation;

    public EpochOrder(int size, long seed) {
        if (size <= 0) {
            throw new IllegalArgumentException("an epoch needs at least one example, got " + size);
        }
        this.size = size;
        this.seed = seed;
    }

    public int size() {
        return size;
    }

    /** Index (in [0, size)) of the example served at absolute position {@code position} (epoch = position / size). */
    public int index(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
        }
        return permutation(position / size)[(int) (position % size)];
    }

    private int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[size];
            for (int i = 0; i < size; i++) {
                p[i] = i;
            }
            // Fisher-Yates with a generator seeded from (seed, epoch) alone.
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = size - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            permutation = p;
            cachedEpoch = epoch;
        }
        return permutation;
    }
}
