package org.pformer.store;

import com.amazonaws.ClientConfiguration;
import com.amazonaws.SdkClientException;
import com.amazonaws.auth.AWSCredentialsProvider;
import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.retry.PredefinedRetryPolicies;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.s3.model.AmazonS3Exception;
import com.amazonaws.services.s3.model.ListObjectsV2Request;
import com.amazonaws.services.s3.model.ListObjectsV2Result;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.services.s3.model.PutObjectRequest;
import com.amazonaws.services.s3.model.S3Object;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import com.amazonaws.services.s3.transfer.TransferManager;
import com.amazonaws.services.s3.transfer.TransferManagerBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A store in an S3 bucket (AWS, or any S3-compatible server: path-style addressing and a custom endpoint).
 * Files at or above {@link Settings#multipartThreshold()} go up in parallel multipart uploads; transient
 * errors are retried by the SDK with exponential backoff. Each object carries its sha256 as user metadata too,
 * so a bucket can be audited without the manifests.
 */
public final class S3ArtifactStore extends AbstractArtifactStore {

    /**
     * Client settings. {@code endpoint} null means AWS itself; credentials always come from the default
     * provider chain (environment, profile, instance role) and never from configuration files in the repo.
     */
    public record Settings(String endpoint, String region, boolean pathStyle, int maxErrorRetry,
                           long multipartThreshold, long partSize, int connectTimeoutMs, int socketTimeoutMs) {

        public Settings {
            if (partSize < 5L * 1024 * 1024) {
                throw new IllegalArgumentException("S3 multipart part size must be at least 5 MiB, got " + partSize);
            }
            if (multipartThreshold < partSize) {
                throw new IllegalArgumentException("S3 multipart threshold (" + multipartThreshold
                        + ") must be at least the part size (" + partSize + ")");
            }
        }

        /**
         * From the environment: {@code PFORMER_S3_ENDPOINT} (unset: AWS), {@code AWS_REGION} (default us-east-1),
         * {@code PFORMER_S3_MAX_RETRIES} (default 10).
         */
        public static Settings fromEnvironment() {
            String endpoint = System.getenv("PFORMER_S3_ENDPOINT");
            String region = System.getenv().getOrDefault("AWS_REGION", "us-east-1");
            int retries = Integer.parseInt(System.getenv().getOrDefault("PFORMER_S3_MAX_RETRIES", "10"));
            return new Settings(endpoint == null || endpoint.isBlank() ? null : endpoint, region, true, retries,
                    64L * 1024 * 1024, 16L * 1024 * 1024, 10_000, 120_000);
        }

        public Settings withMultipart(long threshold, long part) {
            return new Settings(endpoint, region, pathStyle, maxErrorRetry, threshold, part, connectTimeoutMs, socketTimeoutMs);
        }
    }

    private final AmazonS3 s3;
    private final TransferManager transfers;
    private final String bucket;
    private final String basePrefix; // "" or "prefix/"
    private final String rootUri;
    private final Settings settings;

    /** Opens {@code s3://bucket[/prefix]} with credentials from the default provider chain. */
    public S3ArtifactStore(String rootUri, Settings settings) {
        this(rootUri, settings, DefaultAWSCredentialsProviderChain.getInstance());
    }

    public S3ArtifactStore(String rootUri, Settings settings, AWSCredentialsProvider credentials) {
        if (!rootUri.startsWith("s3://")) {
            throw new IllegalArgumentException("S3 store URI must start with s3://, got " + rootUri);
        }
        String rest = rootUri.substring("s3://".length());
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int slash = rest.indexOf('/');
        this.bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("S3 store URI " + rootUri + " names no bucket; expected s3://bucket[/prefix]");
        }
        if (!prefix.isEmpty()) {
            StoreKeys.validate(prefix);
        }
        this.basePrefix = prefix.isEmpty() ? "" : prefix + "/";
        this.rootUri = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        this.settings = settings;

        this.s3 = newClient(settings, credentials);
        this.transfers = TransferManagerBuilder.standard()
                .withS3Client(s3)
                .withMultipartUploadThreshold(settings.multipartThreshold())
                .withMinimumUploadPartSize(settings.partSize())
                .withShutDownThreadPools(true)
                .build();
    }

    /** An S3 client with these settings: path-style, custom endpoint, SDK retries with exponential backoff. */
    public static AmazonS3 newClient(Settings settings, AWSCredentialsProvider credentials) {
        ClientConfiguration client = new ClientConfiguration()
                .withRetryPolicy(PredefinedRetryPolicies.getDefaultRetryPolicyWithCustomMaxRetries(settings.maxErrorRetry()))
                .withConnectionTimeout(settings.connectTimeoutMs())
                .withSocketTimeout(settings.socketTimeoutMs());
        AmazonS3ClientBuilder builder = AmazonS3ClientBuilder.standard()
                .withCredentials(credentials)
                .withClientConfiguration(client)
                .withPathStyleAccessEnabled(settings.pathStyle());
        if (settings.endpoint() != null) {
            builder.withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(settings.endpoint(), settings.region()));
        } else {
            builder.withRegion(settings.region());
        }
        return builder.build();
    }

    /**
     * A client as the pipeline configures every one: {@link Settings#fromEnvironment()}, credentials from the
     * default provider chain. The caller shuts it down.
     */
    public static AmazonS3 environmentClient() {
        return newClient(Settings.fromEnvironment(), DefaultAWSCredentialsProviderChain.getInstance());
    }

    /** Splits {@code s3://bucket/key} into bucket and key. */
    public static String[] parseUri(String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new IllegalArgumentException("expected an s3://bucket/key URI, got " + uri);
        }
        String rest = uri.substring(5);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("expected an s3://bucket/key URI, got " + uri);
        }
        return new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    public String bucket() {
        return bucket;
    }

    /** The underlying client, for integration tests and tools that must see raw objects. */
    public AmazonS3 client() {
        return s3;
    }

    /** The bucket key of a store key (objects and manifests alike). */
    public String objectKey(String key) {
        return basePrefix + StoreKeys.validatePath(key);
    }

    private String rawUri(String key) {
        return "s3://" + bucket + "/" + basePrefix + key;
    }

    @Override
    public String rootUri() {
        return rootUri;
    }

    @Override
    public String uriOf(String key) {
        return "s3://" + bucket + "/" + basePrefix + StoreKeys.validate(key);
    }

    @Override
    protected String keyOf(String uri) {
        String root = "s3://" + bucket + "/" + basePrefix;
        if (!uri.startsWith(root)) {
            throw new StoreException("URI " + uri + " is not inside this store (" + rootUri + ")");
        }
        return uri.substring(root.length());
    }

    @Override
    protected void writeObject(String key, Path file, ArtifactRef described) {
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(described.bytes());
        meta.addUserMetadata("sha256", described.sha256());
        PutObjectRequest request = new PutObjectRequest(bucket, objectKey(key), file.toFile()).withMetadata(meta);
        try {
            if (described.bytes() >= settings.multipartThreshold()) {
                transfers.upload(request).waitForCompletion();
            } else {
                s3.putObject(request);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while uploading " + rawUri(key), e);
        } catch (SdkClientException e) {
            throw new StoreException("cannot upload " + file + " to " + rawUri(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void writeObject(String key, byte[] bytes) {
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(bytes.length);
        meta.addUserMetadata("sha256", Digests.sha256Hex(bytes));
        try {
            s3.putObject(bucket, objectKey(key), new ByteArrayInputStream(bytes), meta);
        } catch (SdkClientException e) {
            throw new StoreException("cannot write " + rawUri(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected boolean readObject(String key, OutputStream out) throws IOException {
        try (S3Object object = s3.getObject(bucket, objectKey(key)); InputStream in = object.getObjectContent()) {
            in.transferTo(out);
            return true;
        } catch (AmazonS3Exception e) {
            if (e.getStatusCode() == 404) {
                return false;
            }
            throw new StoreException("cannot read " + rawUri(key) + ": " + e.getMessage(), e);
        } catch (SdkClientException e) {
            if (isChecksumMismatch(e)) {
                // the server's bytes disagree with the MD5 it stored at upload: corrupt at rest, the same on every
                // retry (an integrity error, so a checkpoint reader falls back to an older one instead of retrying)
                throw new ArtifactIntegrityException(rawUri(key) + " is corrupt in the store: its bytes do not match "
                        + "the checksum the server recorded when it was written (" + e.getMessage() + ")");
            }
            throw new StoreException("cannot read " + rawUri(key) + ": " + e.getMessage(), e);
        }
    }

    /** The SDK's own check of a download against the object's ETag (MD5) failed. */
    static boolean isChecksumMismatch(SdkClientException e) {
        String m = e.getMessage();
        return m != null && m.startsWith("Unable to verify integrity of data download");
    }

    @Override
    protected Optional<byte[]> readSmallObject(String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            return readObject(key, out) ? Optional.of(out.toByteArray()) : Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read " + rawUri(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected boolean deleteObject(String key) {
        try {
            boolean existed = s3.doesObjectExist(bucket, objectKey(key));
            if (existed) {
                s3.deleteObject(bucket, objectKey(key));
            }
            return existed;
        } catch (SdkClientException e) {
            throw new StoreException("cannot delete " + rawUri(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected List<String> listRawKeys(String prefix) {
        List<String> keys = new ArrayList<>();
        ListObjectsV2Request request = new ListObjectsV2Request().withBucketName(bucket).withPrefix(basePrefix + prefix);
        try {
            ListObjectsV2Result result;
            do {
                result = s3.listObjectsV2(request);
                for (S3ObjectSummary summary : result.getObjectSummaries()) {
                    keys.add(summary.getKey().substring(basePrefix.length()));
                }
                request.setContinuationToken(result.getNextContinuationToken());
            } while (result.isTruncated());
        } catch (SdkClientException e) {
            throw new StoreException("cannot list " + rootUri + "/" + prefix + ": " + e.getMessage(), e);
        }
        return keys;
    }

    @Override
    public void close() {
        transfers.shutdownNow(true);
    }
}
