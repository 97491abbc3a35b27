package org.pformer.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.regex.Pattern;

/**
 * A reference to a stored artifact: where it is, its sha256 (hex) and its size in bytes. This — never the bytes —
 * is what crosses workflow and activity boundaries; readers verify digest and size before use.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ArtifactRef(String uri, String sha256, long bytes) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ArtifactRef {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("artifact reference: 'uri' is missing");
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("artifact reference " + uri + ": 'sha256' must be 64 lowercase hex digits, got "
                    + sha256);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("artifact reference " + uri + ": 'bytes' must be >= 0, got " + bytes);
        }
    }

    /** Short human form for logs: the URI and the first 12 hex digits of the digest. */
    public String shortForm() {
        return uri + "@" + sha256.substring(0, 12);
    }
}
