package org.pformer.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest extends ManagedTest {

    
    @TempDir
    Path tmp;

    private TrainingListener.CheckpointInfo write(Path file) throws IOException {
        Map<String, NDArray> params = Map.of("cls_proj.weight", manager.create(new float[] {1, 2, 3, 4}).reshape(2, 2));
        Map<String, NDArray> optim = Map.of("exp_avg/cls_proj.weight", manager.zeros(params.get("cls_proj.weight").getShape()),
                "exp_avg_sq/cls_proj.weight", manager.ones(params.get("cls_proj.weight").getShape()));
        return Checkpoints.write(file, 7, 42, new DataCursor("{\"shard\":3,\"offset\":120}"), params, optim,
                Map.of("cls_proj.weight", 7L), Map.of("intra_op_threads", "2"));
    }

    @Test
    void roundTripsEverythingTheResumeNeeds() throws IOException {
        Path file = tmp.resolve(Checkpoints.fileName(7));
        TrainingListener.CheckpointInfo info = write(file);
        assertThat(file.getFileName().toString()).isEqualTo("ckpt-00000007.safetensors");
        assertThat(info.bytes()).isEqualTo(Files.size(file));
        Checkpoints.State s = Checkpoints.read(file, manager);
        assertThat(s.step()).isEqualTo(7);
        assertThat(s.seed()).isEqualTo(42);
        assertThat(s.cursor().value()).isEqualTo("{\"shard\":3,\"offset\":120}");
        assertThat(s.parameters().get("cls_proj.weight").toFloatArray()).containsExactly(1, 2, 3, 4);
        assertThat(s.optimizerTensors()).containsKeys("exp_avg/cls_proj.weight", "exp_avg_sq/cls_proj.weight");
        assertThat(s.optimizerSteps()).containsEntry("cls_proj.weight", 7L);
        assertThat(s.extra()).containsEntry("intra_op_threads", "2");
        try (var listing = Files.list(tmp)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("ckpt-00000007.safetensors", "ckpt-00000007.safetensors.sha256");
        }
    }

    @Test
    void detectsCorruptionAndMissingDigest() throws IOException {
        Path file = tmp.resolve("a.safetensors");
        write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        assertThatThrownBy(() -> Checkpoints.read(file, manager)).isInstanceOf(IOException.class)
                .hasMessageContaining("is corrupt");
        Path other = tmp.resolve("b.safetensors");
        write(other);
        Files.delete(Checkpoints.sidecar(other));
        assertThatThrownBy(() -> Checkpoints.read(other, manager)).isInstanceOf(IOException.class)
                .hasMessageContaining("no digest sidecar");
    }
}
