package org.pformer.datasets.world;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Independent random streams per (world seed, set, item): every item of every set is a pure function of its own
 * stream, so sets can be generated in parallel, resized independently, and still reproduce byte for byte.
 */
final class Seeds {

    private Seeds() {}

    static SplittableRandom rng(long seed, String set, long index) {
        long h = seed;
        for (byte b : set.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xff));
        }
        return new SplittableRandom(mix(h ^ mix(index + 0x9E3779B97F4A7C15L)));
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
