package org.pformer.datasets.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * One input file of a corpus or annotation set, wherever it lives (local disk: {@link LocalTextSources}; an S3 prefix:
 * {@link S3TextSources}; either, by location: {@link TextSources}). {@link #open()}
 * returns the raw bytes; gzip is detected by the reader from the magic bytes, not from the name.
 */
public interface TextSource {

    /** A stable name, unique within its set of sources (relative path or object key); used in errors and reports. */
    String name();

    /** Size in bytes of the stored (possibly compressed) object, or -1 when unknown. */
    long size();

    /**
     * An identifier of the stored version (an S3 ETag), or null where the store has none; part of the ingestion's
     * job identity, so a resume never mixes two versions of an input.
     */
    default String revision() {
        return null;
    }

    /** A fresh stream over the stored bytes from the beginning. The caller closes it. */
    InputStream open() throws IOException;
}
