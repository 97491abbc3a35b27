package org.pformer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.amazonaws.services.s3.model.ObjectMetadata;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The store contract against the real local S3-compatible server (s3proxy, started by {@code make services-up}).
 * Every test works under its own random prefix of the pipeline's bucket.
 */
class S3ArtifactStoreIT extends ArtifactStoreContract {

    private S3ArtifactStore s3Store;

    static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail("environment variable " + name + " is not set: start the services with `make services-up` and run the "
                    + "tests through `make test` (it exports infra/local/env.sh)");
        }
        return value;
    }

    static S3ArtifactStore.Settings settings() {
        requireEnv("PFORMER_S3_ENDPOINT");
        requireEnv("AWS_ACCESS_KEY_ID");
        return S3ArtifactStore.Settings.fromEnvironment();
    }

    @Override
    protected ArtifactStore newStore() {
        String bucket = requireEnv("PFORMER_S3_BUCKET");
        s3Store = new S3ArtifactStore("s3://" + bucket + "/it/" + UUID.randomUUID(), settings());
        return s3Store;
    }

    @Override
    protected void writeRaw(String key, byte[] bytes) {
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(bytes.length);
        s3Store.client().putObject(s3Store.bucket(), s3Store.objectKey(key), new ByteArrayInputStream(bytes), meta);
    }

    /**
     * Bytes flipped in s3proxy's file on disk (the manifest and the server's ETag untouched): the SDK's MD5 check of
     * the download fails, which is corruption at rest, never a transient error to retry.
     */
    @Test
    void bytesCorruptedOnTheServersDiskAreAnIntegrityError() throws Exception {
        ArtifactRef ref = store.put("disk/weights.bin", randomBytes(4096, 11));
        Path onDisk = Path.of(requireEnv("PFORMER_STATE"), "s3", "data", s3Store.bucket(), s3Store.objectKey("disk/weights.bin"));
        assertThat(onDisk).as("s3proxy's filesystem backend keeps the object in a file").isRegularFile();
        byte[] bytes = Files.readAllBytes(onDisk);
        bytes[100] ^= 0x5A;
        Files.write(onDisk, bytes);
        assertThatThrownBy(() -> store.readBytes(ref)).isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining(ref.uri()).hasMessageContaining("corrupt");
    }

    @Test
    void largeFilesGoUpAsMultipartUploadsAndVerify() throws Exception {
        String bucket = requireEnv("PFORMER_S3_BUCKET");
        long part = 5L * 1024 * 1024;
        try (S3ArtifactStore multipart = new S3ArtifactStore("s3://" + bucket + "/it/" + UUID.randomUUID(),
                settings().withMultipart(part, part))) {
            byte[] content = randomBytes(12 * 1024 * 1024 + 17, 11);
            Path big = file("big.bin", content);
            ArtifactRef ref = multipart.put("ckpt/big.bin", big);
            assertThat(ref.bytes()).isEqualTo(content.length);
            // an S3 multipart ETag is "<md5 of part md5s>-<number of parts>"
            String etag = multipart.client().getObjectMetadata(multipart.bucket(), multipart.objectKey("ckpt/big.bin")).getETag();
            assertThat(etag).endsWith("-3");
            assertThat(multipart.client().getObjectMetadata(multipart.bucket(), multipart.objectKey("ckpt/big.bin"))
                    .getUserMetaDataOf("sha256")).isEqualTo(ref.sha256());
            Path out = tmp.resolve("big.out");
            multipart.download(ref, out);
            assertThat(Files.readAllBytes(out)).isEqualTo(content);
        }
    }

    @Test
    void opensFromAnS3UriWithEnvironmentSettings() {
        String bucket = requireEnv("PFORMER_S3_BUCKET");
        settings();
        try (ArtifactStore s = ArtifactStores.open("s3://" + bucket + "/it/open-" + UUID.randomUUID())) {
            ArtifactRef ref = s.put("hello.txt", "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(s.readBytes(ref)).isEqualTo("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
