package org.pformer.datasets.text;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;

/**
 * Streams an ingested corpus in order from a resumable {@link ShardPosition}: the trainers' view of the shards.
 * {@link #position()} is the position of the sentence {@link #next()} returns next, so a checkpoint that stores it
 * resumes exactly there. One shard is open at a time; memory is one read buffer.
 */
public final class TokenShardStream implements Closeable {

    private final Path dir;
    private final ShardManifest manifest;
    private int shard;
    private ShardReader reader;
    private ShardReader.Cursor cursor;

    private TokenShardStream(Path dir, ShardManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /**
     * Opens the corpus in {@code dir} at {@code from}.
     *
     * @param verify check every shard's size and SHA-256 against the manifest first
     */
    public static TokenShardStream open(Path dir, ShardPosition from, boolean verify) throws IOException {
        ShardManifest m = ShardManifest.read(dir);
        if (verify) {
            m.verify(dir);
        }
        TokenShardStream s = new TokenShardStream(dir, m);
        s.seek(from);
        return s;
    }

    public ShardManifest manifest() {
        return manifest;
    }

    /** Total sentences in the corpus. */
    public long size() {
        return manifest.sentences();
    }

    /** Moves to {@code p}; the end of the corpus ({@code shards:0}) is allowed. */
    public void seek(ShardPosition p) throws IOException {
        int n = manifest.shards().size();
        if (p.shard() > n || (p.shard() == n && p.index() > 0)
                || (p.shard() < n && p.index() > manifest.shards().get(p.shard()).sentences())) {
            throw new IllegalArgumentException(dir + ": position " + p + " is outside the corpus (" + n + " shards)");
        }
        closeShard();
        shard = p.shard();
        if (shard < n) {
            openShard(p.index());
        }
    }

    private void openShard(int index) throws IOException {
        reader = ShardReader.open(dir.resolve(manifest.shards().get(shard).file()));
        if (reader.size() != manifest.shards().get(shard).sentences()) {
            throw new IOException(reader.file() + ": holds " + reader.size() + " sentences, the manifest says "
                    + manifest.shards().get(shard).sentences());
        }
        cursor = reader.cursor(index);
    }

    public boolean hasNext() throws IOException {
        while (cursor != null && !cursor.hasNext()) {
            closeShard();
            shard++;
            if (shard < manifest.shards().size()) {
                openShard(0);
            }
        }
        return cursor != null;
    }

    public TokenizedSentence next() throws IOException {
        if (!hasNext()) {
            throw new NoSuchElementException(dir + ": end of the corpus");
        }
        return cursor.next();
    }

    /** The position of the next sentence. */
    public ShardPosition position() throws IOException {
        hasNext();
        return new ShardPosition(shard, cursor == null ? 0 : cursor.position());
    }

    private void closeShard() throws IOException {
        try {
            if (cursor != null) {
                cursor.close();
            }
        } finally {
            cursor = null;
            if (reader != null) {
                reader.close();
            }
            reader = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeShard();
    }
}
