package org.pformer.activities.tracking;

import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.services.s3.transfer.TransferManager;
import com.amazonaws.services.s3.transfer.TransferManagerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pformer.store.ArtifactIntegrityException;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;
import org.pformer.store.S3ArtifactStore;

/**
 * Writes artifacts into MLflow's S3 artifact root with the AWS SDK (the Java MLflow client's own upload shells out
 * to Python; ARCHITECTURE.md).
 *
 * <p>When the artifact store and MLflow's artifact root are on the same S3 server, an artifact is copied there by
 * the server (CopyObject, multipart above 5 GB): weights of many gigabytes never travel through the worker, which
 * trains the next stage meanwhile. The source object's recorded digest and size are checked against the reference
 * first. Otherwise the source is read through the artifact store (verified while it downloads) and uploaded.
 */
public final class S3ArtifactSink implements ArtifactSink, AutoCloseable {

    private final AmazonS3 s3;
    private final boolean sameServerAsStore;

    /**
     * @param sameServerAsStore whether {@code settings} name the S3 server of the artifact store too (server-side
     *     copies are then possible)
     */
    public S3ArtifactSink(S3ArtifactStore.Settings settings, boolean sameServerAsStore) {
        this.s3 = S3ArtifactStore.newClient(settings, DefaultAWSCredentialsProviderChain.getInstance());
        this.sameServerAsStore = sameServerAsStore;
    }

    /** Settings from the environment; MLflow's own {@code MLFLOW_S3_ENDPOINT_URL} wins when set. */
    public static S3ArtifactSink fromEnvironment() {
        S3ArtifactStore.Settings store = S3ArtifactStore.Settings.fromEnvironment();
        S3ArtifactStore.Settings s = store;
        String mlflowEndpoint = System.getenv("MLFLOW_S3_ENDPOINT_URL");
        if (mlflowEndpoint != null && !mlflowEndpoint.isBlank()) {
            s = new S3ArtifactStore.Settings(mlflowEndpoint, s.region(), true, s.maxErrorRetry(), s.multipartThreshold(),
                    s.partSize(), s.connectTimeoutMs(), s.socketTimeoutMs());
        }
        return new S3ArtifactSink(s, java.util.Objects.equals(s.endpoint(), store.endpoint()));
    }

    @Override
    public void copy(ArtifactRef source, String destinationUri) {
        String[] target = S3ArtifactStore.parseUri(destinationUri);
        if (sameServerAsStore && source.uri().startsWith("s3://")) {
            serverSideCopy(source, target);
            return;
        }
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

    private void serverSideCopy(ArtifactRef source, String[] target) {
        String[] from = S3ArtifactStore.parseUri(source.uri());
        ObjectMetadata meta = s3.getObjectMetadata(from[0], from[1]);
        if (meta.getContentLength() != source.bytes() || !source.sha256().equals(meta.getUserMetaDataOf("sha256"))) {
            throw new ArtifactIntegrityException(source.uri() + " holds " + meta.getContentLength() + " bytes with"
                    + " digest " + meta.getUserMetaDataOf("sha256") + ", its reference says " + source.bytes()
                    + " bytes with digest " + source.sha256());
        }
        TransferManager transfers = TransferManagerBuilder.standard().withS3Client(s3).build();
        try {
            transfers.copy(from[0], from[1], target[0], target[1]).waitForCopyResult();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while copying " + source.uri(), e);
        } finally {
            transfers.shutdownNow(false); // the client stays ours
        }
    }

    @Override
    public void close() {
        s3.shutdown();
    }
}
