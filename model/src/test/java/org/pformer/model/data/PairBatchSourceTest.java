package org.pformer.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.image.ImageLoader;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.model.train.DataCursor;

class PairBatchSourceTest {

    private static final int PIXELS = 3 * TinyWorld.IMAGE_SIZE * TinyWorld.IMAGE_SIZE;

    private static final BlipCaptionCleaner CLEANER = new BlipCaptionCleaner();

    @TempDir
    static Path tmp;
    private static TinyWorld world;
    private static List<CaptionPair> pairs;
    private static final ImagePreprocessor PREPROCESSOR =
            new ImagePreprocessor(ImagePreprocessor.Options.world(TinyWorld.IMAGE_SIZE));

    @BeforeAll
    static void generate() throws IOException {
        world = TinyWorld.generate(tmp.resolve("world"));
        pairs = world.pretrainPairs();
        assertThat(pairs).hasSizeGreaterThan(50);
    }

    @AfterAll
    static void close() {
        world.close();
    }

    private static PairBatchSource source(boolean augment, long seed) {
        return new PairBatchSource(pairs, world.pretrainImages(), PREPROCESSOR, augment, world.pformer, world.llm,
                seed);
    }

    private static List<ImageTextBatch> read(PairBatchSource source, int batches, int batchSize) {
        List<ImageTextBatch> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            out.add(source.next(batchSize));
        }
        return out;
    }

    private static void assertSame(List<ImageTextBatch> actual, List<ImageTextBatch> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            ImageTextBatch a = actual.get(i);
            ImageTextBatch e = expected.get(i);
            assertThat(a.pixels()).isDeepEqualTo(e.pixels());
            assertThat(a.captions()).isEqualTo(e.captions());
            assertThat(a.imageIds()).isEqualTo(e.imageIds());
            TinyWorld.assertSameTokens(a.text(), e.text());
            TinyWorld.assertSameTokens(a.llm(), e.llm());
        }
    }

    /** The pair served at batch row i, recognised by (image id, caption). */
    private static String key(ImageTextBatch b, int i) {
        return b.imageIds().get(i) + "|" + b.captions().get(i);
    }

    /** A pair as the source serves it: LAVIS's pre_caption on the caption. */
    private static String key(CaptionPair p) {
        return p.imageId() + "|" + CLEANER.clean(p.caption());
    }

    @Test
    void everyPairOncePerEpochWithShapesAndTokens() {
        PairBatchSource source = source(true, 4);
        assertThat(source.size()).isEqualTo(pairs.size());
        List<String> expected = pairs.stream().map(PairBatchSourceTest::key).toList();
        List<String> served = new ArrayList<>();
        while (served.size() < 2 * pairs.size()) {
            ImageTextBatch b = source.next(12);
            assertThat(b.channels()).isEqualTo(3);
            assertThat(b.height()).isEqualTo(TinyWorld.IMAGE_SIZE);
            assertThat(b.width()).isEqualTo(TinyWorld.IMAGE_SIZE);
            for (int i = 0; i < b.size(); i++) {
                served.add(key(b, i));
                assertThat(b.pixels()[i]).hasSize(PIXELS);
                String caption = b.captions().get(i);
                assertThat(TinyWorld.unpadded(b.text(), i, world.pformer.padId()))
                        .isEqualTo(Padding.widen(world.pformer.encode(caption)));
                assertThat(TinyWorld.unpadded(b.llm(), i, world.llm.padId()))
                        .isEqualTo(Padding.widen(world.llm.encodeCaption(caption)));
            }
        }
        assertThat(served.subList(0, pairs.size())).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(served.subList(pairs.size(), 2 * pairs.size())).containsExactlyInAnyOrderElementsOf(expected)
                .isNotEqualTo(served.subList(0, pairs.size()));
    }

    @Test
    void batchesArePureFunctionsOfSeedAndPositionWhateverTheCache() {
        List<ImageTextBatch> reference = read(source(true, 9), 6, 10);
        PairBatchSource uncached = new PairBatchSource(pairs, world.pretrainImages(), PREPROCESSOR, true,
                world.pformer, world.llm, 9, 0);
        assertSame(read(uncached, 6, 10), reference);
        List<ImageTextBatch> otherSeed = read(source(true, 10), 6, 10);
        assertThat(otherSeed.get(0).captions()).isNotEqualTo(reference.get(0).captions());
    }

    @Test
    void resumesExactlyFromACursorAugmentationIncluded() {
        PairBatchSource source = source(true, 21);
        read(source, 3, 16);
        DataCursor cursor = source.cursor();
        List<ImageTextBatch> after = read(source, 3, 16);
        PairBatchSource resumed = source(true, 21);
        resumed.next(5);
        resumed.seek(cursor);
        assertSame(read(resumed, 3, 16), after);
    }

    @Test
    void trainModeCropsEvalModeResizes() throws IOException {
        ImageTextBatch eval = source(false, 2).next(8);
        ImageTextBatch train = source(true, 2).next(8);
        assertThat(train.captions()).isEqualTo(eval.captions());
        int differing = 0;
        for (int i = 0; i < eval.size(); i++) {
            String key = key(eval, i);
            CaptionPair pair = pairs.stream().filter(p -> key.equals(key(p))).findFirst()
                    .orElseThrow();
            assertThat(eval.pixels()[i]).isEqualTo(evalPixels(pair));
            if (!Arrays.equals(train.pixels()[i], eval.pixels()[i])) {
                differing++;
            }
        }
        assertThat(differing).isPositive();
    }

    private static float[] evalPixels(CaptionPair pair) throws IOException {
        return PREPROCESSOR.eval(ImageLoader.load(world.pretrainImages().resolve(pair.image()))).data();
    }

    @Test
    void evalBatchesKeepFileOrder() throws IOException {
        List<CaptionPair> some = pairs.subList(0, 23);
        List<ImageTextBatch> batches = PairBatchSource.evalBatches(some, world.pretrainImages(), PREPROCESSOR,
                world.pformer, null, 10);
        assertThat(batches).extracting(ImageTextBatch::size).containsExactly(10, 10, 3);
        assertThat(batches.stream().flatMap(b -> b.captions().stream()).toList())
                .isEqualTo(some.stream().map(p -> CLEANER.clean(p.caption())).toList());
        assertThat(batches.stream().flatMap(b -> b.imageIds().stream()).toList())
                .isEqualTo(some.stream().map(CaptionPair::imageId).toList());
        assertThat(batches).allSatisfy(b -> assertThat(b.llm()).isNull());
        assertThat(batches.get(1).pixels()[3]).isEqualTo(evalPixels(some.get(13)));
        assertThat(batches.get(2).pixels()[2]).isEqualTo(evalPixels(some.get(22)));
    }

    @Test
    void aMissingOrBrokenImageNamesTheFileAndTheAnnotation() throws IOException {
        Path broken = Files.writeString(tmp.resolve("broken.png"), "not a png");
        List<CaptionPair> bad = List.of(pairs.get(0), new CaptionPair("nowhere/missing.png", "a lost star", "x1"),
                new CaptionPair(broken.toString(), "a broken square", "x2"));
        PairBatchSource source = new PairBatchSource(bad, world.pretrainImages(), PREPROCESSOR, false, world.pformer,
                null, 3);
        assertThatThrownBy(() -> PairBatchSource.evalBatches(bad.subList(0, 2), world.pretrainImages(),
                PREPROCESSOR, world.pformer, null, 2))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(world.pretrainImages().resolve("nowhere/missing.png").toString())
                .hasMessageContaining("annotation 1")
                .hasMessageContaining("a lost star");
        assertThatThrownBy(() -> PairBatchSource.evalBatches(List.of(bad.get(2)), world.pretrainImages(),
                PREPROCESSOR, world.pformer, null, 1))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(broken.toString())
                .hasMessageContaining("a broken square");
        assertThatThrownBy(() -> source.next(3)).isInstanceOf(UncheckedIOException.class);
        assertThat(source.cursor()).isEqualTo(new DataCursor("0"));
    }
}
