package org.pformer.datasets.io;

import java.io.IOException;

/**
 * A file that cannot be read as the format it claims: the message names the file, where in it the problem is and
 * what was expected. Bad data, not a transient failure: retrying does not help.
 */
public class MalformedDataException extends IOException {

    private final String source;

    public MalformedDataException(String source, String message) {
        super(source + ": " + message);
        this.source = source;
    }

    public MalformedDataException(String source, String message, Throwable cause) {
        super(source + ": " + message, cause);
        this.source = source;
    }

    /** The file (or object key) at fault. */
    public String source() {
        return source;
    }
}
