package org.pformer.activities.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.pformer.store.ArtifactIntegrityException;
import org.pformer.store.ArtifactRef;
import org.pformer.store.S3ArtifactStore;

/** Copies into MLflow's artifact root on the real local S3 server (the artifact store's server too). */
class S3ArtifactSinkIT {

    private static final String BUCKET = SpoolingTrackerIT.requireEnv("PFORMER_S3_BUCKET");

    private static void withStore(java.util.function.BiConsumer<S3ArtifactStore, S3ArtifactSink> test) {
        String prefix = "s3://" + BUCKET + "/it/sink-" + UUID.randomUUID();
        try (S3ArtifactStore store = new S3ArtifactStore(prefix, S3ArtifactStore.Settings.fromEnvironment());
                S3ArtifactSink serverSide = new S3ArtifactSink(S3ArtifactStore.Settings.fromEnvironment(), true)) {
            test.accept(store, serverSide);
        }
    }

    @Test
    void onTheSameServerTheCopyIsMadeByTheServerAndHoldsTheSameBytes() {
        withStore((store, sink) -> {
            ArtifactRef weights = store.put("out/weights.bin", "weights".getBytes(StandardCharsets.UTF_8));
            String destination = store.rootUri() + "/mlflow-artifacts/stage1/weights.bin";
            sink.copy(weights, destination);
            String[] target = S3ArtifactStore.parseUri(destination);
            assertThat(store.client().getObjectAsString(target[0], target[1])).isEqualTo("weights");
        });
    }

    @Test
    void aReferenceThatDoesNotMatchTheStoredObjectIsRefused() {
        withStore((store, sink) -> {
            ArtifactRef stored = store.put("out/weights.bin", "weights".getBytes(StandardCharsets.UTF_8));
            ArtifactRef stale = new ArtifactRef(stored.uri(), "0".repeat(64), stored.bytes());
            String destination = store.rootUri() + "/mlflow-artifacts/stage1/weights.bin";
            assertThatThrownBy(() -> sink.copy(stale, destination)).isInstanceOf(ArtifactIntegrityException.class)
                    .hasMessageContaining(stored.uri());
            String[] target = S3ArtifactStore.parseUri(destination);
            assertThat(store.client().doesObjectExist(target[0], target[1])).isFalse();
        });
    }

    @Test
    void onAnotherServerTheSourceIsDownloadedVerifiedAndUploaded() {
        withStore((store, ignored) -> {
            try (S3ArtifactSink elsewhere = new S3ArtifactSink(S3ArtifactStore.Settings.fromEnvironment(), false)) {
                ArtifactRef report = store.put("out/report.json", "{}".getBytes(StandardCharsets.UTF_8));
                String destination = store.rootUri() + "/mlflow-artifacts/eval/report.json";
                elsewhere.copy(report, destination);
                String[] target = S3ArtifactStore.parseUri(destination);
                assertThat(store.client().getObjectAsString(target[0], target[1])).isEqualTo("{}");
            }
        });
    }
}
