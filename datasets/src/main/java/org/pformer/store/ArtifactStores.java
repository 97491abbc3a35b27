package org.pformer.store;

import java.net.URI;
import java.nio.file.Path;

/** Opens the store a configuration names. */
public final class ArtifactStores {

    private ArtifactStores() {}

    /** {@code file:///dir} → {@link LocalArtifactStore}; {@code s3://bucket/prefix} → {@link S3ArtifactStore} (settings from the environment). */
    public static ArtifactStore open(String rootUri) {
        if (rootUri.startsWith("s3://")) {
            return new S3ArtifactStore(rootUri, S3ArtifactStore.Settings.fromEnvironment());
        }
        if (rootUri.startsWith("file:")) {
            return new LocalArtifactStore(Path.of(URI.create(rootUri)));
        }
        throw new IllegalArgumentException("unsupported store URI '" + rootUri + "'; expected s3://bucket[/prefix] or file:///dir");
    }

    /**
     * The root of a store through which {@code ref} can be read and verified, whatever store wrote it: the whole
     * bucket for an s3:// reference, the object's directory for a file:// one.
     */
    public static String containingRoot(ArtifactRef ref) {
        String uri = ref.uri();
        if (uri.startsWith("s3://")) {
            return "s3://" + S3ArtifactStore.parseUri(uri)[0];
        }
        if (uri.startsWith("file://")) {
            return "file://" + Path.of(uri.substring("file://".length())).getParent();
        }
        throw new IllegalArgumentException("artifact reference " + uri + " names no supported store; expected s3:// or file://");
    }

    /** Opens {@link #containingRoot(ArtifactRef)}. */
    public static ArtifactStore openContaining(ArtifactRef ref) {
        return open(containingRoot(ref));
    }
}
