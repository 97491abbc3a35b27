package org.pformer.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.datasets.world.WorldGenerator;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.datasets.world.WorldSpec;
import org.pformer.model.train.TokenBatch;

/** A generated tiny world (32 px images) with its tokenizers, and the batch comparisons the adapter tests share. */
final class TinyWorld implements AutoCloseable {

    static final int IMAGE_SIZE = 32;

    final Path dir;
    final WorldManifest manifest;
    final PFormerTokenizer pformer;
    final LlmTokenizer llm;

    private TinyWorld(Path dir, WorldManifest manifest, PFormerTokenizer pformer, LlmTokenizer llm) {
        this.dir = dir;
        this.manifest = manifest;
        this.pformer = pformer;
        this.llm = llm;
    }

    static TinyWorld generate(Path dir) throws IOException {
        WorldManifest m = WorldGenerator.generate(new WorldSpec("tiny", 1, IMAGE_SIZE), dir);
        PFormerTokenizer p = PFormerTokenizer.load(dir.resolve(m.datasets().pformerTokenizer()),
                PFormerTokenizer.MAX_TEXT_TOKENS);
        return new TinyWorld(dir, m, p, LlmTokenizer.load(dir.resolve(m.datasets().llmTokenizer()), 64));
    }

    List<CaptionPair> pretrainPairs() throws IOException {
        return CaptionPair.read(dir.resolve(manifest.datasets().pretrainPairs().annotations()));
    }

    Path pretrainImages() {
        return dir.resolve(manifest.datasets().pretrainPairs().images());
    }

    List<Path> corpusFiles() {
        List<Path> out = new ArrayList<>();
        for (String f : manifest.datasets().sentences()) {
            out.add(dir.resolve(f));
        }
        return out;
    }

    /** The first {@code n} lines of the world's sentence corpus. */
    List<String> sentences(int n) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : corpusFiles()) {
            for (String line : Files.readAllLines(f)) {
                if (out.size() < n) {
                    out.add(line);
                }
            }
        }
        assertThat(out).hasSize(n);
        return out;
    }

    @Override
    public void close() {
        pformer.close();
        llm.close();
    }

    /** Same ids and mask, element for element. */
    static void assertSameTokens(TokenBatch actual, TokenBatch expected) {
        if (expected == null) {
            assertThat(actual).isNull();
            return;
        }
        assertThat(actual.ids()).isDeepEqualTo(expected.ids());
        assertThat(actual.mask()).isDeepEqualTo(expected.mask());
    }

    /** Row i of a padded batch without its padding, after checking the mask is 1…1 0…0 and the padding is padId. */
    static long[] unpadded(TokenBatch batch, int i, long padId) {
        long[] ids = batch.ids()[i];
        long[] mask = batch.mask()[i];
        int n = 0;
        while (n < mask.length && mask[n] == 1) {
            n++;
        }
        for (int j = n; j < mask.length; j++) {
            assertThat(mask[j]).as("mask of row %d after its first 0", i).isZero();
            assertThat(ids[j]).as("padding of row %d", i).isEqualTo(padId);
        }
        return java.util.Arrays.copyOf(ids, n);
    }
}
