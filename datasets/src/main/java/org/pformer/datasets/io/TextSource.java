package org.pformer.datasets.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * One input file of a corpus or annotation set, wherever it lives (local disk, an S3 prefix, …). {@link #open()}
 * returns the raw bytes; gzip is detected by the reader from the magic bytes, not from the name.
 */
public interface TextSource {

    /** A stable name, unique within its set of sources (relative path or object key); used in errors and reports. */
    String name();

    /** Size in bytes of the stored (possibly compressed) object, or -1 when unknown. */
    long size();

    /** A fresh stream over the stored bytes from the beginning. The caller closes it. */
    InputStream open() throws IOException;
}
