package org.pformer.datasets.text;

/**
 * A position in a sharded token corpus: the sentence {@code index} of shard {@code shard}. Serialisable into a
 * training checkpoint's data cursor as {@code "shard:index"}.
 */
public record ShardPosition(int shard, int index) implements Comparable<ShardPosition> {

    public static final ShardPosition START = new ShardPosition(0, 0);

    public ShardPosition {
        if (shard < 0 || index < 0) {
            throw new IllegalArgumentException("negative shard position " + shard + ":" + index);
        }
    }

    /** Parses {@code "shard:index"}. */
    public static ShardPosition parse(String s) {
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected 'shard:index', got '" + s + "'");
        }
        try {
            return new ShardPosition(Integer.parseInt(s.substring(0, colon)), Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected 'shard:index', got '" + s + "'", e);
        }
    }

    @Override
    public String toString() {
        return shard + ":" + index;
    }

    @Override
    public int compareTo(ShardPosition o) {
        return shard != o.shard ? Integer.compare(shard, o.shard) : Integer.compare(index, o.index);
    }
}
