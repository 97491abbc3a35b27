package org.pformer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The behaviour every {@link ArtifactStore} implementation must show; subclasses provide the store and raw access. */
abstract class ArtifactStoreContract {

    @TempDir
    Path tmp;

    protected ArtifactStore store;

    /** A fresh, empty store for one test. */
    protected abstract ArtifactStore newStore() throws Exception;

    /** Writes bytes under a key bypassing the store protocol (no manifest): a crashed upload. */
    protected abstract void writeRaw(String key, byte[] bytes) throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    protected Path file(String name, byte[] content) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    protected static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void fileRoundTripRecordsDigestAndSize() throws IOException {
        byte[] content = randomBytes(100_000, 1);
        ArtifactRef ref = store.put("runs/r1/model.bin", file("model.bin", content));
        assertThat(ref.uri()).isEqualTo(store.rootUri() + "/runs/r1/model.bin");
        assertThat(ref.bytes()).isEqualTo(content.length);
        assertThat(ref.sha256()).isEqualTo(Digests.sha256Hex(content));
        assertThat(store.find("runs/r1/model.bin")).contains(ref);

        Path out = tmp.resolve("out/model.bin");
        store.download(ref, out);
        assertThat(Files.readAllBytes(out)).isEqualTo(content);
        assertThat(store.readBytes(ref)).isEqualTo(content);
    }

    @Test
    void emptyAndSmallBytesRoundTrip() {
        ArtifactRef empty = store.put("a/empty", new byte[0]);
        assertThat(store.readBytes(empty)).isEmpty();
        ArtifactRef text = store.put("a/report.json", "{\"cider\": 1.0}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(store.readBytes(text), StandardCharsets.UTF_8)).isEqualTo("{\"cider\": 1.0}");
    }

    @Test
    void anObjectWithoutManifestIsIncompleteAndInvisible() throws Exception {
        writeRaw("ckpt/step-100.bin", randomBytes(10, 2));
        store.put("ckpt/step-50.bin", randomBytes(10, 3));
        assertThat(store.find("ckpt/step-100.bin")).isEmpty();
        assertThat(store.list("ckpt/")).extracting(ArtifactRef::uri).containsExactly(store.uriOf("ckpt/step-50.bin"));
        ArtifactRef guessed = new ArtifactRef(store.uriOf("ckpt/step-100.bin"), Digests.sha256Hex(randomBytes(10, 2)), 10);
        assertThatThrownBy(() -> store.download(guessed, tmp.resolve("x")))
                .isInstanceOf(ArtifactNotFoundException.class)
                .hasMessageContaining(guessed.uri()).hasMessageContaining("never completed");
    }

    @Test
    void corruptedBytesAreDetectedAndNeverReachTheDestination() throws Exception {
        byte[] content = randomBytes(4096, 4);
        ArtifactRef ref = store.put("data/shard-0.bin", content);
        Path out = file("dest/shard-0.bin", "previous good copy".getBytes(StandardCharsets.UTF_8));
        byte[] corrupted = content.clone();
        corrupted[100] ^= 0x5a;
        writeRaw("data/shard-0.bin", corrupted); // silent corruption on disk, manifest untouched

        assertThatThrownBy(() -> store.download(ref, out))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining(ref.uri()).hasMessageContaining("corrupt").hasMessageContaining(ref.sha256());
        assertThat(Files.readString(out)).isEqualTo("previous good copy");
        assertThat(Files.list(out.getParent())).extracting(p -> p.getFileName().toString()).containsExactly("shard-0.bin");
        assertThatThrownBy(() -> store.readBytes(ref)).isInstanceOf(ArtifactIntegrityException.class);
    }

    @Test
    void truncatedObjectIsDetected() throws Exception {
        byte[] content = randomBytes(8192, 5);
        ArtifactRef ref = store.put("ckpt/last.bin", content);
        writeRaw("ckpt/last.bin", java.util.Arrays.copyOf(content, 1000));
        assertThatThrownBy(() -> store.download(ref, tmp.resolve("last.bin")))
                .isInstanceOf(ArtifactIntegrityException.class).hasMessageContaining("1000 bytes");
    }

    @Test
    void aStaleReferenceToAReplacedArtifactIsRejected() {
        ArtifactRef first = store.put("report.json", "v1".getBytes(StandardCharsets.UTF_8));
        ArtifactRef second = store.put("report.json", "v2".getBytes(StandardCharsets.UTF_8));
        assertThat(second).isNotEqualTo(first);
        assertThatThrownBy(() -> store.readBytes(first))
                .isInstanceOf(ArtifactIntegrityException.class).hasMessageContaining("was replaced");
        assertThat(store.readBytes(second)).isEqualTo("v2".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void deleteRemovesTheArtifact() {
        ArtifactRef ref = store.put("x/y", new byte[] {1, 2, 3});
        assertThat(store.delete("x/y")).isTrue();
        assertThat(store.delete("x/y")).isFalse();
        assertThat(store.find("x/y")).isEmpty();
        assertThatThrownBy(() -> store.readBytes(ref)).isInstanceOf(ArtifactNotFoundException.class);
    }

    @Test
    void directoryRoundTripVerifiesEveryFile() throws IOException {
        Path dir = tmp.resolve("shards");
        file("shards/shard-00000.bin", randomBytes(3000, 6));
        file("shards/shard-00001.bin", randomBytes(5000, 7));
        file("shards/meta/tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8));
        ArtifactRef dirRef = store.putDirectory("ingest/key1", dir);
        assertThat(dirRef.uri()).endsWith("ingest/key1/_directory.json");
        assertThat(store.directoryFiles(dirRef)).hasSize(3);

        Path restored = tmp.resolve("restored");
        store.downloadDirectory(dirRef, restored);
        for (String name : new String[] {"shard-00000.bin", "shard-00001.bin", "meta/tokenizer.json"}) {
            assertThat(Files.readAllBytes(restored.resolve(name))).isEqualTo(Files.readAllBytes(dir.resolve(name)));
        }
    }

    @Test
    void keysThatCouldEscapeTheRootAreRejected() {
        for (String bad : new String[] {"../escape", "a/../../b", "/etc/passwd", "a//b", "a/./b", "a\\b", "x.manifest.json",
                "with space", "", "a/"}) {
            assertThatThrownBy(() -> store.put(bad, new byte[1])).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("store key");
        }
        ArtifactRef foreign = new ArtifactRef("s3://elsewhere/x", "0".repeat(64), 1);
        assertThatThrownBy(() -> store.readBytes(foreign)).isInstanceOf(StoreException.class)
                .hasMessageContaining("not inside this store");
    }
}
