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
}
