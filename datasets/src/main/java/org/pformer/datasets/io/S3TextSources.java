package org.pformer.datasets.io;

import com.amazonaws.SdkClientException;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.AmazonS3Exception;
import com.amazonaws.services.s3.model.GetObjectRequest;
import com.amazonaws.services.s3.model.ListObjectsV2Request;
import com.amazonaws.services.s3.model.ListObjectsV2Result;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.services.s3.model.S3Object;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link TextSource}s in S3 (or any S3-compatible server; the client comes from the store's settings,
 * {@code S3ArtifactStore.environmentClient()}). The URI forms, mirroring {@link LocalTextSources}:
 * <ul>
 *   <li>{@code s3://bucket/prefix/} (or {@code s3://bucket}): every object under the prefix, recursively, named by
 *       its key relative to the prefix and sorted by that name — the same order on every run, so a resume cursor
 *       (input index, item) stays valid;</li>
 *   <li>{@code s3://bucket/key}: that one object, named by the key's last segment; when no such object exists the
 *       URI is read as the prefix {@code key/} (as a local path may be a file or a directory).</li>
 * </ul>
 * Directory markers (keys ending in {@code /}) and hidden objects (a key segment starting with {@code .}) are
 * skipped, as local hidden files are. Each object is streamed, never held in memory, and only if it is still the
 * listed version: its ETag is a precondition of the GET and its size is compared, so an object replaced between
 * listing and reading fails with {@link MalformedDataException} instead of mixing two versions. Transient errors
 * are retried by the client's retry policy.
 */
public final class S3TextSources {

    public static final String SCHEME = "s3://";

    private S3TextSources() {}

    /** Whether {@code location} is an {@code s3://} URI. */
    public static boolean isS3(String location) {
        return location.startsWith(SCHEME);
    }

    /**
     * The objects {@code uri} names (see the class comment), never empty.
     *
     * @throws NoSuchFileException the bucket does not exist, or nothing (but markers / hidden objects) is under the
     *     prefix
     * @throws AccessDeniedException the credentials may not list or read there
     * @throws IOException the server could not be reached after the client's retries
     */
    public static List<S3File> list(AmazonS3 s3, String uri) throws IOException {
        Location location = Location.parse(uri);
        if (!location.isPrefix()) {
            Optional<ObjectMetadata> single = head(s3, location);
            if (single.isPresent()) {
                ObjectMetadata meta = single.get();
                return List.of(new S3File(location.lastSegment(), location.bucket(), location.key(),
                        meta.getContentLength(), unquote(meta.getETag()), s3));
            }
            location = location.asPrefix();
        }
        List<S3File> files = select(location, listAll(s3, location), s3);
        if (files.isEmpty()) {
            throw new NoSuchFileException(location.uri(), null, "no objects under " + location.uri()
                    + " (directory markers and hidden objects do not count); expected at least one file there");
        }
        return files;
    }

    /**
     * The readable files of one listing of {@code prefix}: directory markers and hidden objects dropped, named
     * relative to the prefix, sorted by name.
     */
    static List<S3File> select(Location prefix, List<S3ObjectSummary> listing, AmazonS3 s3) {
        List<S3File> files = new ArrayList<>();
        for (S3ObjectSummary o : listing) {
            String key = o.getKey();
            if (!key.startsWith(prefix.key()) || key.endsWith("/")) {
                continue;
            }
            String name = key.substring(prefix.key().length());
            if (name.isEmpty() || isHidden(name)) {
                continue;
            }
            files.add(new S3File(name, prefix.bucket(), key, o.getSize(), unquote(o.getETag()), s3));
        }
        files.sort(Comparator.comparing(S3File::name));
        return List.copyOf(files);
    }

    private static boolean isHidden(String relativeKey) {
        for (String segment : relativeKey.split("/")) {
            if (segment.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<ObjectMetadata> head(AmazonS3 s3, Location location) throws IOException {
        try {
            return Optional.of(s3.getObjectMetadata(location.bucket(), location.key()));
        } catch (AmazonS3Exception e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty(); // no such key (or no such bucket: the listing says which)
            }
            throw failure("read", location.uri(), e);
        } catch (SdkClientException e) {
            throw failure("read", location.uri(), e);
        }
    }

    private static List<S3ObjectSummary> listAll(AmazonS3 s3, Location prefix) throws IOException {
        List<S3ObjectSummary> all = new ArrayList<>();
        ListObjectsV2Request request = new ListObjectsV2Request().withBucketName(prefix.bucket())
                .withPrefix(prefix.key());
        try {
            ListObjectsV2Result page;
            do {
                page = s3.listObjectsV2(request);
                all.addAll(page.getObjectSummaries());
                request.setContinuationToken(page.getNextContinuationToken());
            } while (page.isTruncated());
        } catch (AmazonS3Exception e) {
            if ("NoSuchBucket".equals(e.getErrorCode()) || e.getStatusCode() == 404) {
                throw new NoSuchFileException(prefix.uri(), null, "bucket '" + prefix.bucket()
                        + "' does not exist; expected an existing bucket holding " + prefix.uri());
            }
            throw failure("list", prefix.uri(), e);
        } catch (SdkClientException e) {
            throw failure("list", prefix.uri(), e);
        }
        return all;
    }

    private static IOException failure(String verb, String uri, SdkClientException e) {
        if (e instanceof AmazonS3Exception s3e && s3e.getStatusCode() == 403) {
            AccessDeniedException denied = new AccessDeniedException(uri, null, "access denied: the credentials of "
                    + "the environment (AWS_ACCESS_KEY_ID / profile / role) may not " + verb + " it ("
                    + s3e.getErrorCode() + ")");
            denied.initCause(e);
            return denied;
        }
        return new IOException("cannot " + verb + " " + uri + ": " + e.getMessage(), e);
    }

    /** S3 returns ETags in double quotes in some responses and bare in others. */
    static String unquote(String etag) {
        if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
            return etag.substring(1, etag.length() - 1);
        }
        return etag;
    }

    /** A parsed {@code s3://bucket[/key]}: {@code key} is "" for the whole bucket, ends in '/' for a prefix. */
    record Location(String bucket, String key) {

        static Location parse(String uri) {
            if (uri == null || !uri.startsWith(SCHEME)) {
                throw new IllegalArgumentException("expected an s3://bucket/prefix/ URI, got " + uri);
            }
            String rest = uri.substring(SCHEME.length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException(uri + " names no bucket; expected s3://bucket/prefix/ or "
                        + "s3://bucket/key");
            }
            return new Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
        }

        boolean isPrefix() {
            return key.isEmpty() || key.endsWith("/");
        }

        Location asPrefix() {
            return isPrefix() ? this : new Location(bucket, key + "/");
        }

        String uri() {
            return SCHEME + bucket + "/" + key;
        }

        /** The last non-empty key segment, or the bucket for the whole bucket: the name of this location. */
        String lastSegment() {
            String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
            return k.isEmpty() ? bucket : k.substring(k.lastIndexOf('/') + 1);
        }
    }

    /** The name of the location {@code uri} names (its last key segment, or the bucket), for multi-root naming. */
    public static String rootName(String uri) {
        return Location.parse(uri).lastSegment();
    }

    /**
     * One listed object: its listed size and ETag are the version that {@link #open()} insists on.
     *
     * @param name the key relative to the listed prefix (or the key's last segment for a single object)
     */
    public record S3File(String name, String bucket, String key, long size, String etag, AmazonS3 client)
            implements TextSource {

        public S3File {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(client, "client");
        }

        public String uri() {
            return SCHEME + bucket + "/" + key;
        }

        @Override
        public String revision() {
            return etag;
        }

        /** Streams the object if it is still the listed version (ETag precondition, size check). */
        @Override
        public InputStream open() throws IOException {
            GetObjectRequest request = new GetObjectRequest(bucket, key);
            if (etag != null) {
                request.withMatchingETagConstraint(etag);
            }
            S3Object object;
            try {
                object = client.getObject(request);
            } catch (AmazonS3Exception e) {
                if (e.getStatusCode() == 404) {
                    throw changed("was deleted");
                }
                if (e.getStatusCode() == 412) {
                    throw changed("was replaced (its ETag is no longer " + etag + ")");
                }
                throw failure("read", uri(), e);
            } catch (SdkClientException e) {
                throw failure("read", uri(), e);
            }
            if (object == null) { // the SDK's answer to a failed ETag precondition
                throw changed("was replaced (its ETag is no longer " + etag + ")");
            }
            ObjectMetadata meta = object.getObjectMetadata();
            String nowEtag = unquote(meta.getETag());
            if (meta.getContentLength() != size || (etag != null && nowEtag != null && !etag.equals(nowEtag))) {
                object.getObjectContent().abort();
                object.close();
                throw changed("was replaced (listed: " + size + " bytes, ETag " + etag + "; now: "
                        + meta.getContentLength() + " bytes, ETag " + nowEtag + ")");
            }
            return object.getObjectContent();
        }

        private MalformedDataException changed(String what) {
            return new MalformedDataException(uri(), what + " after it was listed; the corpus must not change "
                    + "while it is ingested (start the ingestion again to read the new version)");
        }

        @Override
        public String toString() {
            return uri() + " (" + size + " bytes, ETag " + etag + ")";
        }
    }
}
