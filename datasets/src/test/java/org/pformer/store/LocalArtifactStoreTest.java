package org.pformer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalArtifactStoreTest extends ArtifactStoreContract {

    private Path root;

    @Override
    protected ArtifactStore newStore() {
        root = tmp.resolve("store");
        return new LocalArtifactStore(root);
    }

    @Override
    protected void writeRaw(String key, byte[] bytes) throws Exception {
        Path p = root.resolve(key);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }

    @Test
    void leftoverTemporaryFilesOfACrashedWriteAreNotArtifacts() throws Exception {
        store.put("runs/a.bin", new byte[] {1});
        Files.write(root.resolve("runs/.tmp-1234-b.bin"), new byte[] {2});
        assertThat(store.list("runs/")).hasSize(1);
        assertThat(store.list("")).hasSize(1);
    }

    @Test
    void opensFromAFileUri() {
        try (ArtifactStore s = ArtifactStores.open(root.toUri().toString())) {
            assertThat(s).isInstanceOf(LocalArtifactStore.class);
            assertThat(s.rootUri()).isEqualTo("file://" + root);
        }
    }
}
