package org.pformer.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pformer.model.nn.HostArrays;

/**
 * Padded token ids with their 0/1 attention mask, both (B, L), as produced by a tokenizer.
 */
public record TokenBatch(long[][] ids, long[][] mask) {

    public TokenBatch {
        if (ids.length == 0 || ids.length != mask.length) {
            throw new IllegalArgumentException("ids and mask need the same, non-zero number of rows");
        }
        int length = ids[0].length;
        if (length == 0) {
            throw new IllegalArgumentException("sequences must not be empty");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].length != length || mask[i].length != length) {
                throw new IllegalArgumentException("row " + i + " has length " + ids[i].length + "/" + mask[i].length
                        + ", expected " + length + " (batch must be padded to one length)");
            }
            for (long m : mask[i]) {
                if (m != 0 && m != 1) {
                    throw new IllegalArgumentException("row " + i + " of the attention mask has value " + m);
                }
            }
        }
    }

    public int size() {
        return ids.length;
    }

    public int length() {
        return ids[0].length;
    }

    public NDArray idsArray(NDManager manager) {
        return HostArrays.longs(manager, ids);
    }

    public NDArray maskArray(NDManager manager) {
        return HostArrays.longs(manager, mask);
    }
}
