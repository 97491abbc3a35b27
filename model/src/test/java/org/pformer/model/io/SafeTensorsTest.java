package org.pformer.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.Fixtures;

class SafeTensorsTest extends ManagedTest {

    
    @TempDir
    Path tmp;

    @Test
    void decodesF32F16AndBf16WrittenByPyTorchExactly() throws IOException {
        try (SafeTensors st = SafeTensors.open(Fixtures.parity("dtypes.safetensors"))) {
            assertThat(st.info("f16").dtype()).isEqualTo(SafeDType.F16);
            assertThat(st.info("bf16").dtype()).isEqualTo(SafeDType.BF16);
            NDArray f16 = st.load("f16", manager);
            assertThat(f16.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(f16.toType(DataType.FLOAT32, false).toFloatArray())
                    .containsExactly(st.load("f16_as_f32", manager).toFloatArray());
            NDArray bf16 = st.load("bf16", manager);
            assertThat(bf16.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(bf16.toFloatArray()).containsExactly(st.load("bf16_as_f32", manager).toFloatArray());
            assertThat(st.load("f16", manager, DataType.FLOAT32).toFloatArray())
                    .containsExactly(st.load("f16_as_f32", manager).toFloatArray());
            NDArray i64 = st.load("i64", manager);
            assertThat(i64.getShape()).isEqualTo(new Shape(2, 2));
            assertThat(i64.toLongArray()).containsExactly(1, -2, 3, 4);
        }
    }

    @Test
    void writerRoundTripsTensorsAndMetadataAndReportsTheDigest() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", manager.create(new float[] {1.5f, -2f, 3.25f, 0f, 7f, -1e-7f}, new Shape(2, 3)));
        tensors.put("b", manager.create(new float[] {0.5f, 1f}).toType(DataType.FLOAT16, false));
        tensors.put("step", manager.create(new long[] {42L}));
        Path file = tmp.resolve("x.safetensors");
        String digest = SafeTensorsWriter.write(file, tensors, Map.of("format", "test", "step", "42"));

        assertThat(digest).isEqualTo(SafeTensorsWriter.sha256(file)).hasSize(64);
        assertThat(Files.size(file) - 8).isGreaterThan(0);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.metadata()).containsEntry("format", "test").containsEntry("step", "42");
            assertThat(st.tensors().keySet()).containsExactly("a.weight", "b", "step");
            assertThat(st.load("a.weight", manager).toFloatArray())
                    .containsExactly(tensors.get("a.weight").toFloatArray());
            assertThat(st.load("a.weight", manager).getShape()).isEqualTo(new Shape(2, 3));
            assertThat(st.load("b", manager).getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(st.load("step", manager).toLongArray()).containsExactly(42L);
        }
        // identical content ⇒ identical bytes
        Path again = tmp.resolve("y.safetensors");
        assertThat(SafeTensorsWriter.write(again, tensors, Map.of("format", "test", "step", "42")))
                .isEqualTo(digest);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "x.safetensors", "y.safetensors");
        }
    }

    @Test
    void rejectsTruncatedAndInconsistentFilesNamingFileAndTensor() throws IOException {
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafeTensors.open(tiny)).isInstanceOf(IOException.class)
                .hasMessageContaining(tiny.toString()).hasMessageContaining("shorter than the 8-byte");

        Path badOffsets = write("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 16);
        assertThatThrownBy(() -> SafeTensors.open(badOffsets)).isInstanceOf(IOException.class)
                .hasMessageContaining("'w'").hasMessageContaining("needs 16 bytes");

        Path beyond = write("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(beyond)).isInstanceOf(IOException.class)
                .hasMessageContaining("'w'").hasMessageContaining("beyond the data section");

        Path dtype = write("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        assertThatThrownBy(() -> SafeTensors.open(dtype)).isInstanceOf(IOException.class)
                .hasMessageContaining("unsupported dtype 'F8_E4M3'");

        Path json = write("{not json", 0);
        assertThatThrownBy(() -> SafeTensors.open(json)).isInstanceOf(IOException.class)
                .hasMessageContaining("not valid JSON");
    }

    private Path write(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = Files.createTempFile(tmp, "bad", ".safetensors");
        Files.write(p, b.array());
        return p;
    }
}
