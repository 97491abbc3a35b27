package org.pformer.datasets.text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.pformer.datasets.io.Sha256;

/**
 * Exact de-duplication in bounded memory: an open-addressing set of 128-bit fingerprints (the first 16 bytes of
 * the SHA-256 of the UTF-8 text), 16 bytes per slot whatever the sentence length — 12M unique sentences take
 * ~256 MiB. Two different sentences collide with probability ~n²/2¹²⁹ (≈10⁻²⁵ for 12M), so the result is exact
 * in practice. Not thread-safe.
 */
public final class FingerprintSet {

    private static final double MAX_LOAD = 0.75;

    private final MessageDigest sha = Sha256.newDigest();
    private long[] hi;
    private long[] lo;
    private int size;
    private int mask;

    public FingerprintSet() {
        this(1 << 16);
    }

    public FingerprintSet(int initialCapacity) {
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
        hi = new long[cap];
        lo = new long[cap];
        mask = cap - 1;
    }

    /** Adds the text's fingerprint; false when an equal text was added before. */
    public boolean add(String text) {
        byte[] d = sha.digest(text.getBytes(StandardCharsets.UTF_8));
        long h = toLong(d, 0);
        long l = toLong(d, 8);
        if (h == 0 && l == 0) {
            l = 1; // (0, 0) marks an empty slot
        }
        if (size + 1 > (long) (hi.length * MAX_LOAD)) {
            grow();
        }
        return insert(h, l);
    }

    private boolean insert(long h, long l) {
        int i = (int) (l ^ (l >>> 32)) & mask;
        while (hi[i] != 0 || lo[i] != 0) {
            if (hi[i] == h && lo[i] == l) {
                return false;
            }
            i = (i + 1) & mask;
        }
        hi[i] = h;
        lo[i] = l;
        size++;
        return true;
    }

    private void grow() {
        long[] oldHi = hi;
        long[] oldLo = lo;
        if (oldHi.length >= 1 << 30) {
            throw new IllegalStateException("de-duplication set is full (" + size + " sentences)");
        }
        hi = new long[oldHi.length * 2];
        lo = new long[oldLo.length * 2];
        mask = hi.length - 1;
        size = 0;
        for (int i = 0; i < oldHi.length; i++) {
            if (oldHi[i] != 0 || oldLo[i] != 0) {
                insert(oldHi[i], oldLo[i]);
            }
        }
    }

    private static long toLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    public int size() {
        return size;
    }

    /** Bytes held by the table. */
    public long memoryBytes() {
        return 16L * hi.length;
    }
}
