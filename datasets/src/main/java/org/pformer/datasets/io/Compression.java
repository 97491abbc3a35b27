package org.pformer.datasets.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Transparent gzip: detected from the two magic bytes (RFC 1952: 0x1f 0x8b), never from the file name. */
public final class Compression {

    private static final int BUFFER = 1 << 16;

    private Compression() {}

    /** The source's bytes, gunzipped when they start with the gzip magic; buffered either way. */
    public static InputStream openDecoded(TextSource source) throws IOException {
        return decode(source.open());
    }

    /** Wraps {@code raw} so that a gzip stream (including concatenated members) reads as its content. */
    public static InputStream decode(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        }
        return in;
    }

    /** The name without a trailing {@code .gz}, used to pick the record format. */
    public static String stripGzSuffix(String name) {
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }
}
