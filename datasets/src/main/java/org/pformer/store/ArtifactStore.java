package org.pformer.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where datasets, checkpoints, cached targets, predictions and reports live. Every write records sha256 and
 * size in a manifest that commits the object (an object without its manifest is incomplete and invisible);
 * every read verifies both before the bytes are used. Implementations: {@link LocalArtifactStore} (a
 * directory) and {@link S3ArtifactStore} (any S3-compatible server).
 */
public interface ArtifactStore extends AutoCloseable {

    /** The root, {@code file:///dir} or {@code s3://bucket/prefix}. */
    String rootUri();

    /** The URI an object with this key has (whether or not it exists). */
    String uriOf(String key);

    /** Uploads a local file under {@code key} (replacing any previous object) and commits it with its manifest. */
    ArtifactRef put(String key, Path file);

    /** Stores small bytes (reports, manifests, JSON) under {@code key}. */
    ArtifactRef put(String key, byte[] bytes);

    /** The committed artifact under {@code key}, if any. */
    Optional<ArtifactRef> find(String key);

    /** Committed artifacts whose keys start with {@code prefix}, sorted by key. */
    List<ArtifactRef> list(String prefix);

    /**
     * Downloads to {@code destination} (created or replaced atomically) after verifying the bytes against the
     * reference and the stored manifest.
     *
     * @throws ArtifactNotFoundException if nothing is committed at the reference's URI
     * @throws ArtifactIntegrityException if the stored bytes or manifest disagree with the reference
     */
    void download(ArtifactRef ref, Path destination);

    /** Reads a small artifact fully into memory, verified like {@link #download}. */
    byte[] readBytes(ArtifactRef ref);

    /** Removes an artifact (manifest first, so it is never seen half-deleted). Returns whether it existed. */
    boolean delete(String key);

    /**
     * Uploads every regular file under {@code directory} below {@code prefix}, then a directory manifest listing
     * each file's relative path, digest and size. Returns the reference of that manifest: it names the whole
     * directory, and {@link #downloadDirectory} restores exactly these files.
     */
    ArtifactRef putDirectory(String prefix, Path directory);

    /** Restores a directory written by {@link #putDirectory}, verifying every file. */
    void downloadDirectory(ArtifactRef directoryRef, Path destination);

    /** The files a directory artifact holds, as references (the directory manifest is verified first). */
    List<ArtifactRef> directoryFiles(ArtifactRef directoryRef);

    @Override
    void close();
}
