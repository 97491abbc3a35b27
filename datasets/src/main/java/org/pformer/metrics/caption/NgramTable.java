package org.pformer.metrics.caption;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interns words and their 1..4-grams as dense ints so that BLEU and CIDEr-D count, clip and weight n-grams with
 * array look-ups instead of hashing tuples of strings. An n-gram's id is interned from (id of its first n-1 words,
 * id of its last word); two sentences share an id exactly when they share the n-gram.
 */
final class NgramTable {
    static final int MAX_ORDER = 4;

    private final Map<String, Integer> words = new HashMap<>();
    private long[] keys = new long[1 << 12];
    private int[] values = new int[1 << 12];
    private int size;

    /** Number of distinct n-grams interned so far; ids run from 1 to this value. */
    int ngramCount() {
        return size;
    }

    /** Counts of one sentence's n-grams: per order (index 0 = unigrams) the ids, ascending, and their counts. */
    record Counts(int words, int[][] ids, int[][] counts) {
        /** Sum of the counts of order {@code order} (1-based): the number of n-grams of that order. */
        int total(int order) {
            return Math.max(0, words - order + 1);
        }
    }

    Counts count(List<String> sentence) {
        int n = sentence.size();
        int[] prev = new int[n];
        int[][] ids = new int[MAX_ORDER][];
        int[][] counts = new int[MAX_ORDER][];
        int[] wordIds = new int[n];
        for (int i = 0; i < n; i++) {
            wordIds[i] = words.computeIfAbsent(sentence.get(i), w -> words.size() + 1);
        }
        for (int k = 0; k < MAX_ORDER; k++) {
            int m = Math.max(0, n - k);
            int[] cur = new int[m];
            for (int i = 0; i < m; i++) {
                cur[i] = intern(k == 0 ? 0 : prev[i], wordIds[i + k]);
            }
            prev = cur;
            int[] sorted = cur.clone();
            Arrays.sort(sorted);
            int distinct = 0;
            for (int i = 0; i < m; i++) {
                if (i == 0 || sorted[i] != sorted[i - 1]) {
                    distinct++;
                }
            }
            int[] uniq = new int[distinct];
            int[] cnt = new int[distinct];
            for (int i = 0, d = -1; i < m; i++) {
                if (i == 0 || sorted[i] != sorted[i - 1]) {
                    uniq[++d] = sorted[i];
                }
                cnt[d]++;
            }
            ids[k] = uniq;
            counts[k] = cnt;
        }
        return new Counts(n, ids, counts);
    }

    /* Open addressing with linear probing over (prefix << 32 | word); keys are never 0 because word ids start at 1. */
    private int intern(int prefix, int word) {
        long key = ((long) prefix << 32) | (word & 0xffffffffL);
        int mask = keys.length - 1;
        int slot = (int) (mix(key) & mask);
        while (keys[slot] != 0) {
            if (keys[slot] == key) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = ++size;
        if (size * 2 > keys.length) {
            grow();
        }
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int slot = (int) (mix(oldKeys[i]) & mask);
                while (keys[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                values[slot] = oldValues[i];
            }
        }
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
