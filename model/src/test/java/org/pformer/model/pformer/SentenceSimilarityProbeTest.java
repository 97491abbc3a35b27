package org.pformer.model.pformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.lavis.ImageCaptions;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.datasets.world.WorldGenerator;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.datasets.world.WorldSpec;

/** The paraphrase probe of the sentence-similarity check, built from caption sets (one group per image). */
class SentenceSimilarityProbeTest {

    @TempDir
    static Path dir;
    private static WorldManifest world;

    @BeforeAll
    static void generateWorld() throws IOException {
        world = WorldGenerator.generate(new WorldSpec("tiny", 3, 32), dir);
    }

    private static PFormerTokenizer tokenizer() throws IOException {
        return PFormerTokenizer.load(dir.resolve(world.datasets().pformerTokenizer()), PFormerTokenizer.MAX_TEXT_TOKENS);
    }

    @Test
    void oneGroupPerImageFromTheWorldsRetrievalCaptions() throws IOException {
        List<ImageCaptions> images = ImageCaptions.read(dir.resolve(world.datasets().retrieval().annotations()));
        try (PFormerTokenizer tok = tokenizer()) {
            SentenceSimilarity.Probe probe = SentenceSimilarity.probe(images, 5, tok);
            int[] groups = probe.groups();
            assertThat(groups.length).isEqualTo(probe.sentences().size());
            assertThat(Arrays.stream(groups).distinct().toArray()).containsExactly(0, 1, 2, 3, 4);
            for (int g = 0; g < 5; g++) {
                int group = g;
                assertThat(Arrays.stream(groups).filter(x -> x == group).count()).as("group " + g).isGreaterThan(1);
            }
            // every row starts with [CLS], as the P-Former reads sentences
            assertThat(Arrays.stream(probe.sentences().ids()).mapToLong(r -> r[0]).distinct().toArray())
                    .containsExactly(tok.clsId());
        }
    }

    @Test
    void imagesWithoutTwoDistinctCleanCaptionsAreSkipped() throws IOException {
        List<ImageCaptions> images = List.of(
                new ImageCaptions("a.png", List.of("A red cube.", "a red cube")), // the same once cleaned
                new ImageCaptions("b.png", List.of("a blue ball", "a ball that is blue")),
                new ImageCaptions("c.png", List.of("only one caption")),
                new ImageCaptions("d.png", List.of("two cones", "a pair of cones", "   ")));
        try (PFormerTokenizer tok = tokenizer()) {
            SentenceSimilarity.Probe probe = SentenceSimilarity.probe(images, 10, tok);
            assertThat(probe.groups()).containsExactly(0, 0, 1, 1);
            assertThatThrownBy(() -> SentenceSimilarity.probe(images.subList(0, 3), 10, tok))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("found 1 among 3 images");
        }
    }
}
