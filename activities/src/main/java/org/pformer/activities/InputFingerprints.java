package org.pformer.activities;

import com.amazonaws.services.s3.AmazonS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.pformer.datasets.io.S3TextSources;
import org.pformer.store.Digests;
import org.pformer.store.S3ArtifactStore;

/**
 * Cheap digests of external inputs for stage cache keys: the sorted listing of (path, size, modification time) for
 * local files and directories, (key, size, ETag) for S3 objects and prefixes (listed as {@link S3TextSources} lists
 * them, so the digest covers exactly the objects a stage reads). Re-hashing terabytes of images on every
 * run is not practical; a listing changes whenever a file is added, removed, resized or rewritten.
 */
final class InputFingerprints implements AutoCloseable {

    private final AmazonS3 s3;

    InputFingerprints(AmazonS3 s3) {
        this.s3 = s3;
    }

    /** Shuts the S3 client down (its connection pool and idle-connection reaper), if there is one. */
    @Override
    public void close() {
        if (s3 != null) {
            s3.shutdown();
        }
    }

    /** Digest of one input; fails with a message naming it when it does not exist or is empty. */
    String of(String name, String location) {
        List<String> lines = location.startsWith("s3://") ? s3Listing(name, location) : localListing(name, Path.of(location));
        MessageDigest d = Digests.sha256();
        for (String line : lines) {
            d.update(line.getBytes(StandardCharsets.UTF_8));
            d.update((byte) '\n');
        }
        return Digests.hex(d);
    }

    private static List<String> localListing(String name, Path path) {
        if (!Files.exists(path)) {
            throw new InputMissingException("input " + name + ": no such file or directory: " + path);
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(path)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                lines.add(path.relativize(f) + "\t" + Files.size(f) + "\t" + Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list input " + name + " at " + path, e);
        }
        if (lines.isEmpty()) {
            throw new InputMissingException("input " + name + ": " + path + " holds no files");
        }
        return lines;
    }

    /** The objects the ingestion and readers would see ({@link S3TextSources}: one object or a prefix). */
    private List<String> s3Listing(String name, String uri) {
        List<String> lines = new ArrayList<>();
        try {
            for (S3TextSources.S3File o : S3TextSources.list(s3, uri)) {
                lines.add(o.name() + "\t" + o.size() + "\t" + o.etag());
            }
        } catch (NoSuchFileException e) {
            throw new InputMissingException("input " + name + ": " + e.getReason());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list input " + name + " at " + uri, e);
        }
        return lines;
    }

    /** An input that does not exist: retrying cannot help. */
    static final class InputMissingException extends RuntimeException {
        InputMissingException(String message) {
            super(message);
        }
    }

    static AmazonS3 defaultClient() {
        return S3ArtifactStore.environmentClient();
    }
}
