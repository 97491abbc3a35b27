package org.pformer.datasets.text;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * Reads one token shard: sequentially ({@link #cursor(int)}) or at random ({@link #get(int)}, two positional
 * reads, nothing held in memory). Thread-safe for {@code get}; each cursor belongs to one thread.
 */
public final class ShardReader implements Closeable {

    /** Largest id list / text a record may hold (a sanity bound against corrupt lengths). */
    private static final int MAX_FIELD = 1 << 24;

    private final Path file;
    private final FileChannel channel;
    private final int count;
    private final long indexOffset;

    private ShardReader(Path file, FileChannel channel, int count, long indexOffset) {
        this.file = file;
        this.channel = channel;
        this.count = count;
        this.indexOffset = indexOffset;
    }

    public static ShardReader open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            ByteBuffer h = ByteBuffer.allocate(TokenShardFormat.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            if (size < TokenShardFormat.HEADER_BYTES || ch.read(h, 0) < TokenShardFormat.HEADER_BYTES) {
                throw corrupt(file, "shorter than the 32-byte header");
            }
            h.flip();
            byte[] magic = new byte[8];
            h.get(magic);
            if (!Arrays.equals(magic, TokenShardFormat.MAGIC)) {
                throw corrupt(file, "not a token shard (bad magic)");
            }
            int version = h.getInt();
            if (version != TokenShardFormat.VERSION) {
                throw corrupt(file, "format version " + version + ", this reader knows " + TokenShardFormat.VERSION);
            }
            h.getInt();
            long count = h.getLong();
            long index = h.getLong();
            if (index < TokenShardFormat.HEADER_BYTES || count < 0 || count > Integer.MAX_VALUE
                    || index + 8 * count != size) {
                throw corrupt(file, "header (count " + count + ", index at " + index + ") does not match the file "
                        + "size " + size + "; the shard is incomplete");
            }
            return new ShardReader(file, ch, (int) count, index);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static IOException corrupt(Path file, String why) {
        return new IOException(file + ": " + why);
    }

    public int size() {
        return count;
    }

    public Path file() {
        return file;
    }

    /** Sentence {@code i} (0-based) by positional reads. */
    public TokenizedSentence get(int i) throws IOException {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(file + ": sentence " + i + " of " + count);
        }
        ByteBuffer off = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        readFully(off, indexOffset + 8L * i, i + 1 < count ? 16 : 8);
        long start = off.getLong(0);
        long end = i + 1 < count ? off.getLong(8) : indexOffset;
        if (start < TokenShardFormat.HEADER_BYTES || end < start || end > indexOffset || end - start > (1 << 30)) {
            throw corrupt(file, "index entry " + i + " is out of range");
        }
        ByteBuffer rec = ByteBuffer.allocate((int) (end - start)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(rec, start, rec.capacity());
        rec.flip();
        try {
            int[] pformer = ids(rec);
            int[] llm = ids(rec);
            byte[] text = new byte[rec.getInt()];
            rec.get(text);
            return new TokenizedSentence(new String(text, StandardCharsets.UTF_8), pformer, llm);
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw corrupt(file, "record " + i + " is malformed");
        }
    }

    private void readFully(ByteBuffer buf, long position, int length) throws IOException {
        buf.clear().limit(length);
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                throw new EOFException(file + ": unexpected end of file");
            }
        }
    }

    private static int[] ids(ByteBuffer rec) {
        int[] ids = new int[rec.getInt()];
        rec.asIntBuffer().get(ids);
        rec.position(rec.position() + 4 * ids.length);
        return ids;
    }

    /** A sequential reader starting at sentence {@code from} (streams through a 64 KiB buffer). */
    public Cursor cursor(int from) throws IOException {
        if (from < 0 || from > count) {
            throw new IndexOutOfBoundsException(file + ": position " + from + " of " + count);
        }
        long start;
        if (from == count) {
            start = indexOffset;
        } else {
            ByteBuffer off = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(off, indexOffset + 8L * from, 8);
            start = off.getLong(0);
        }
        return new Cursor(from, start);
    }

    /** Sequential reading of one shard. */
    public final class Cursor implements Closeable {
        private final DataInputStream in;
        private int next;

        private Cursor(int from, long start) throws IOException {
            InputStream raw = Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ).position(start));
            this.in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
            this.next = from;
        }

        public boolean hasNext() {
            return next < count;
        }

        /** Index of the sentence {@link #next()} returns. */
        public int position() {
            return next;
        }

        public TokenizedSentence next() throws IOException {
            if (next >= count) {
                throw new NoSuchElementException(file + ": end of shard");
            }
            try {
                int[] pformer = readIds();
                int[] llm = readIds();
                byte[] text = new byte[checkedLength(readInt())];
                in.readFully(text);
                next++;
                return new TokenizedSentence(new String(text, StandardCharsets.UTF_8), pformer, llm);
            } catch (EOFException e) {
                throw corrupt(file, "record " + next + " is malformed");
            }
        }

        private int[] readIds() throws IOException {
            int n = checkedLength(readInt());
            byte[] raw = new byte[Math.multiplyExact(n, 4)];
            in.readFully(raw);
            int[] ids = new int[n];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(ids);
            return ids;
        }

        private int checkedLength(int n) throws IOException {
            if (n < 0 || n > MAX_FIELD) {
                throw corrupt(file, "record " + next + " has a field of length " + n);
            }
            return n;
        }

        private int readInt() throws IOException {
            int b0 = in.read();
            int b1 = in.read();
            int b2 = in.read();
            int b3 = in.read();
            if ((b0 | b1 | b2 | b3) < 0) {
                throw new EOFException();
            }
            return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
