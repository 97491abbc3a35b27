package org.pformer.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.model.foundation.LmLineSource;
import org.pformer.model.train.TokenBatch;

class LmLinesTest {

    @TempDir
    static Path tmp;
    private static TinyWorld world;

    @BeforeAll
    static void generate() throws IOException {
        world = TinyWorld.generate(tmp.resolve("world"));
    }

    @AfterAll
    static void close() {
        world.close();
    }

    private static long[] expected(String raw) {
        return Padding.widen(world.llm.encodeCaption(new BlipCaptionCleaner().clean(raw)));
    }

    @Test
    void cleansSkipsBlankLinesEncodesAsCaptionsAcrossFiles() throws IOException {
        Path a = Files.writeString(tmp.resolve("a.txt"), "A RED Circle, left of a star!\n\n   \n#...\nthe  blue square\n",
                StandardCharsets.UTF_8);
        Path b = tmp.resolve("b.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(b))) {
            out.write("a green heart\na pink cross\n".getBytes(StandardCharsets.UTF_8));
        }
        List<long[]> lines = LmLines.fromFiles(List.of(a, b), world.llm, 100);
        assertThat(lines).containsExactly(expected("A RED Circle, left of a star!"), expected("the  blue square"),
                expected("a green heart"), expected("a pink cross"));
        assertThat(lines.get(1)).isEqualTo(expected("the blue square"));
        assertThat(lines.get(0)[0]).isEqualTo(world.llm.bosId());
        assertThat(lines.get(0)[lines.get(0).length - 1]).isEqualTo(world.llm.newlineId());
        assertThat(LmLines.fromFiles(List.of(a, b), world.llm, 3)).hasSize(3);
    }

    @Test
    void feedsTheWorldLlmTraining() throws IOException {
        List<long[]> lines = LmLines.fromFiles(world.corpusFiles(), world.llm, 250);
        assertThat(lines).hasSize(250);
        List<long[]> expected = new ArrayList<>();
        for (String raw : world.sentences(250)) {
            expected.add(expected(raw));
        }
        assertThat(lines).containsExactlyElementsOf(expected);
        LmLineSource source = new LmLineSource(lines, world.llm.vocabSize(), world.llm.padId(), 64, 1);
        TokenBatch batch = source.next(8);
        assertThat(batch.size()).isEqualTo(8);
    }

    @Test
    void aFileThatIsNotUtf8IsNamedWithTheLine() throws IOException {
        Path bad = tmp.resolve("bad.txt");
        Files.write(bad, new byte[] {'o', 'k', '\n', 'a', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> LmLines.fromFiles(List.of(bad), world.llm, 10))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(MalformedDataException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> LmLines.fromFiles(List.of(tmp.resolve("absent.txt")), world.llm, 10))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("absent.txt");
    }
}
