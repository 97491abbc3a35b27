package org.pformer.activities.tracking;

import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.services.s3.AmazonS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;
import org.pformer.store.S3ArtifactStore;

/**
 * Writes artifacts into MLflow's S3 artifact root with the AWS SDK (the Java MLflow client's own upload shells out
 * to Python; ARCHITECTURE.md). The source is read through the artifact store, so it is verified first.
 */
public final class S3ArtifactSink implements ArtifactSink, AutoCloseable {

    private final AmazonS3 s3;

    public S3ArtifactSink(S3ArtifactStore.Settings settings) {
        this.s3 = S3ArtifactStore.newClient(settings, DefaultAWSCredentialsProviderChain.getInstance());
    }

    /** Settings from the environment; MLflow's own {@code MLFLOW_S3_ENDPOINT_URL} wins when set. */
    public static S3ArtifactSink fromEnvironment() {
        S3ArtifactStore.Settings s = S3ArtifactStore.Settings.fromEnvironment();
        String mlflowEndpoint = System.getenv("MLFLOW_S3_ENDPOINT_URL");
        if (mlflowEndpoint != null && !mlflowEndpoint.isBlank()) {
            s = new S3ArtifactStore.Settings(mlflowEndpoint, s.region(), true, s.maxErrorRetry(), s.multipartThreshold(),
                    s.partSize(), s.connectTimeoutMs(), s.socketTimeoutMs());
        }
        return new S3ArtifactSink(s);
    }

    @Override
    public void copy(ArtifactRef source, String destinationUri) {
        String[] target = S3ArtifactStore.parseUri(destinationUri);
        Path tmp = null;
        try (ArtifactStore store = ArtifactStores.openContaining(source)) {
            tmp = Files.createTempFile("pformer-artifact", ".tmp");
            store.download(source, tmp);
            s3.putObject(target[0], target[1], tmp.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source.uri() + " to " + destinationUri, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file; the OS cleans it
                }
            }
        }
    }

    @Override
    public void close() {
        s3.shutdown();
    }
}
