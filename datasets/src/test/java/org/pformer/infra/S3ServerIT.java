package org.pformer.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.AmazonS3Exception;
import com.amazonaws.services.s3.model.CompleteMultipartUploadRequest;
import com.amazonaws.services.s3.model.DeleteObjectsRequest;
import com.amazonaws.services.s3.model.GetObjectRequest;
import com.amazonaws.services.s3.model.InitiateMultipartUploadRequest;
import com.amazonaws.services.s3.model.ListObjectsV2Request;
import com.amazonaws.services.s3.model.ListObjectsV2Result;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.services.s3.model.PartETag;
import com.amazonaws.services.s3.model.S3Object;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import com.amazonaws.services.s3.model.UploadPartRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local S3-compatible store (s3proxy on disk, started by {@code make services-up}) with the AWS SDK exactly as
 * the pipeline uses it: custom endpoint, path-style requests, SigV4. Everything is written under a random prefix of
 * the pipeline's bucket and removed afterwards.
 */
class S3ServerIT {

    private static final int MIB = 1024 * 1024;

    private static AmazonS3 s3;
    private static String bucket;
    private static String prefix;

    @BeforeAll
    static void connect() {
        s3 = LocalServices.s3Client();
        bucket = LocalServices.env("PFORMER_S3_BUCKET");
        prefix = "it/s3-server/" + UUID.randomUUID() + "/";
    }

    @AfterAll
    static void cleanUp() {
        if (s3 == null) {
            return;
        }
        List<DeleteObjectsRequest.KeyVersion> keys = new ArrayList<>();
        for (S3ObjectSummary o : listAll(prefix, 1000)) {
            keys.add(new DeleteObjectsRequest.KeyVersion(o.getKey()));
        }
        if (!keys.isEmpty()) {
            s3.deleteObjects(new DeleteObjectsRequest(bucket).withKeys(keys));
        }
        s3.shutdown();
    }

    private static List<S3ObjectSummary> listAll(String keyPrefix, int pageSize) {
        List<S3ObjectSummary> all = new ArrayList<>();
        ListObjectsV2Request request = new ListObjectsV2Request().withBucketName(bucket).withPrefix(keyPrefix).withMaxKeys(pageSize);
        ListObjectsV2Result page;
        do {
            page = s3.listObjectsV2(request);
            all.addAll(page.getObjectSummaries());
            request.setContinuationToken(page.getNextContinuationToken());
        } while (page.isTruncated());
        return all;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String digest(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(GetObjectRequest request) throws IOException {
        try (S3Object o = s3.getObject(request); InputStream in = o.getObjectContent()) {
            return in.readAllBytes();
        }
    }

    @Test
    void thePipelinesBucketsExist() {
        assertThat(s3.doesBucketExistV2(bucket)).as("bucket %s", bucket).isTrue();
        assertThat(s3.doesBucketExistV2("pformer-mlflow")).as("MLflow's artifact bucket").isTrue();
    }

    @Test
    void anObjectReadsBackWithItsDigestAndMetadata() throws IOException {
        byte[] content = randomBytes(300_000, 1);
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(content.length);
        meta.setContentType("application/octet-stream");
        meta.addUserMetadata("sha256", digest("SHA-256", content));
        String key = prefix + "single/shard-00000.bin";

        String etag = s3.putObject(bucket, key, new ByteArrayInputStream(content), meta).getETag();

        assertThat(etag).as("a single-part ETag is the MD5 of the content").isEqualTo(digest("MD5", content));
        ObjectMetadata head = s3.getObjectMetadata(bucket, key);
        assertThat(head.getContentLength()).isEqualTo(content.length);
        assertThat(head.getUserMetaDataOf("sha256")).isEqualTo(digest("SHA-256", content));
        assertThat(read(new GetObjectRequest(bucket, key))).isEqualTo(content);
        assertThat(read(new GetObjectRequest(bucket, key).withRange(1000, 1999)))
                .isEqualTo(Arrays.copyOfRange(content, 1000, 2000));
    }

    @Test
    void aMultipartUploadOfFiveMibPartsAssemblesTheObject() throws IOException {
        byte[] content = randomBytes(2 * 5 * MIB + 123_457, 2); // two full 5 MiB parts and a short last one
        String key = prefix + "multipart/checkpoint.bin";
        String uploadId = s3.initiateMultipartUpload(new InitiateMultipartUploadRequest(bucket, key)).getUploadId();
        List<PartETag> parts = new ArrayList<>();
        for (int part = 1, offset = 0; offset < content.length; part++, offset += 5 * MIB) {
            int size = Math.min(5 * MIB, content.length - offset);
            parts.add(s3.uploadPart(new UploadPartRequest().withBucketName(bucket).withKey(key).withUploadId(uploadId)
                    .withPartNumber(part).withInputStream(new ByteArrayInputStream(content, offset, size))
                    .withPartSize(size)).getPartETag());
        }
        String etag = s3.completeMultipartUpload(new CompleteMultipartUploadRequest(bucket, key, uploadId, parts)).getETag();

        assertThat(parts).hasSize(3);
        assertThat(etag).as("a multipart ETag is <md5 of the part md5s>-<parts>").endsWith("-3");
        assertThat(s3.getObjectMetadata(bucket, key).getContentLength()).isEqualTo(content.length);
        byte[] back = read(new GetObjectRequest(bucket, key));
        assertThat(digest("SHA-256", back)).isEqualTo(digest("SHA-256", content));
        // a range across the boundary of parts 1 and 2
        assertThat(read(new GetObjectRequest(bucket, key).withRange(5L * MIB - 10, 5L * MIB + 9)))
                .isEqualTo(Arrays.copyOfRange(content, 5 * MIB - 10, 5 * MIB + 10));
    }

    @Test
    void listingAPrefixPagesThroughExactlyItsKeys() {
        String shards = prefix + "listing/shards/";
        for (int i = 0; i < 7; i++) {
            s3.putObject(bucket, shards + String.format("shard-%05d.bin", i), "shard " + i);
        }
        s3.putObject(bucket, prefix + "listing/shards-manifest.json", "{}");
        s3.putObject(bucket, shards + "nested/extra.bin", "extra");

        List<String> keys = listAll(shards, 3).stream().map(S3ObjectSummary::getKey).toList();
        assertThat(keys).hasSize(8).allMatch(k -> k.startsWith(shards)).isSorted()
                .contains(shards + "shard-00000.bin", shards + "shard-00006.bin", shards + "nested/extra.bin");

        ListObjectsV2Result delimited = s3.listObjectsV2(new ListObjectsV2Request().withBucketName(bucket)
                .withPrefix(shards).withDelimiter("/"));
        assertThat(delimited.getObjectSummaries()).hasSize(7);
        assertThat(delimited.getCommonPrefixes()).containsExactly(shards + "nested/");
        assertThat(s3.getObjectAsString(bucket, shards + "shard-00003.bin")).isEqualTo("shard 3");
    }

    @Test
    void requestsSignedWithOtherCredentialsAreRefused() {
        AmazonS3 stranger = LocalServices.s3Client(LocalServices.env("AWS_ACCESS_KEY_ID"), "not-the-secret");
        try {
            assertThatThrownBy(() -> stranger.listObjectsV2(bucket, prefix))
                    .isInstanceOfSatisfying(AmazonS3Exception.class, e -> assertThat(e.getStatusCode()).isEqualTo(403));
            // an upload is refused with 403, or the server closes the connection on the rejected request before the
            // client has sent its body ("Broken pipe"): either way nothing is stored
            assertThatThrownBy(() -> stranger.putObject(bucket, prefix + "forged.txt", "forged"))
                    .isInstanceOfSatisfying(com.amazonaws.SdkClientException.class, e -> {
                        if (e instanceof AmazonS3Exception s3e) {
                            assertThat(s3e.getStatusCode()).isEqualTo(403);
                        }
                    });
            assertThat(s3.doesObjectExist(bucket, prefix + "forged.txt")).isFalse();
        } finally {
            stranger.shutdown();
        }
    }
}
