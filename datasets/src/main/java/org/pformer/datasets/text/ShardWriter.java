package org.pformer.datasets.text;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Streams sentences into one token shard ({@link TokenShardFormat}); memory is the offset index only. */
public final class ShardWriter implements Closeable {

    private final Path file;
    private final FileChannel channel;
    private final OutputStream out;
    private final ByteBuffer scratch = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long[] offsets = new long[1024];
    private int count;
    private long position = TokenShardFormat.HEADER_BYTES;
    private boolean closed;

    public ShardWriter(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        out.write(new byte[TokenShardFormat.HEADER_BYTES]);
    }

    public void write(TokenizedSentence s) throws IOException {
        if (count == offsets.length) {
            offsets = java.util.Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = position;
        writeIds(s.pformerIds());
        writeIds(s.llmIds());
        byte[] text = s.text().getBytes(StandardCharsets.UTF_8);
        writeInt(text.length);
        out.write(text);
        position += text.length;
    }

    private void writeIds(int[] ids) throws IOException {
        writeInt(ids.length);
        int i = 0;
        while (i < ids.length) {
            scratch.clear();
            int n = Math.min(ids.length - i, scratch.capacity() / 4);
            scratch.asIntBuffer().put(ids, i, n);
            out.write(scratch.array(), 0, n * 4);
            position += n * 4L;
            i += n;
        }
    }

    private void writeInt(int v) throws IOException {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
        position += 4;
    }

    public int count() {
        return count;
    }

    public Path file() {
        return file;
    }

    /** Writes the index and the header and forces the file to disk. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (channel) {
            long indexOffset = position;
            ByteBuffer idx = ByteBuffer.allocate(8 * count).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                idx.putLong(offsets[i]);
            }
            out.write(idx.array());
            out.flush();
            ByteBuffer header = ByteBuffer.allocate(TokenShardFormat.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.put(TokenShardFormat.MAGIC).putInt(TokenShardFormat.VERSION).putInt(0).putLong(count)
                    .putLong(indexOffset).flip();
            channel.write(header, 0);
            channel.force(true);
        }
    }
}
