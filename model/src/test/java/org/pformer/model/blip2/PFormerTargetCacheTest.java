package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.model.ManagedTest;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.pformer.PFormer;

/** The cached P-Former targets are the per-step eval-mode targets, bit for bit, before and after a save/load. */
class PFormerTargetCacheTest extends ManagedTest {

    static final TinyImageTextWorld W = Blip2Fixtures.WORLD;

    @TempDir
    Path tmp;

    /** Batches of other sizes and compositions than those the cache was built from (captions repeat across them). */
    static List<ImageTextBatch> trainingBatches() {
        TinyImageTextWorld.Source source = W.new Source(3);
        List<ImageTextBatch> out = new ArrayList<>();
        for (int size : new int[] {7, 3, 8, 1}) {
            out.add(source.next(size));
        }
        return out;
    }

    static List<ImageTextBatch> buildBatches(int[] images) {
        List<ImageTextBatch> out = new ArrayList<>();
        for (int i = 0; i < images.length; i += 5) {
            out.add(W.batch(java.util.Arrays.copyOfRange(images, i, Math.min(images.length, i + 5)), ""));
        }
        return out;
    }

    private float[] targets(PFormerTargets targets, ImageTextBatch batch) {
        try (NDManager m = manager.newSubManager()) {
            return targets.targets(batch, m).toFloatArray();
        }
    }

    @Test
    void cachedTargetsEqualPerStepEvalTargetsExactlyAlsoAfterSaveAndLoad() throws IOException {
        PFormer pformer = Blip2Fixtures.frozenPformer(manager, 4);
        PFormerTargetCache cache = PFormerTargetCache.build(pformer,
                buildBatches(IntStream.range(0, W.images()).toArray()).iterator(), "pformer@abc+tok@def", manager);
        assertThat(cache.size()).isEqualTo(16); // one entry per distinct caption, not per image
        Path file = tmp.resolve("targets.safetensors");
        String sha = cache.save(file);
        assertThat(sha).hasSize(64);
        PFormerTargetCache loaded = PFormerTargetCache.load(file, "pformer@abc+tok@def");
        assertThat(loaded.size()).isEqualTo(cache.size());
        assertThat(loaded.fingerprint()).isEqualTo("pformer@abc+tok@def");

        PFormerTargets perStep = PFormerTargets.perStep(pformer);
        PFormerTargets cached = PFormerTargets.cached(pformer, cache);
        PFormerTargets reloaded = PFormerTargets.cached(pformer, loaded);
        for (ImageTextBatch batch : trainingBatches()) {
            float[] expected = targets(perStep, batch);
            assertThat(expected).hasSize(batch.size() * 4 * 32);
            assertThat(targets(cached, batch)).containsExactly(expected);
            assertThat(targets(reloaded, batch)).containsExactly(expected);
            for (String caption : batch.captions()) {
                assertThat(loaded.get(caption)).containsExactly(cache.get(caption));
            }
        }
        assertThat(cached.cacheMisses()).isZero();
        assertThat(reloaded.cacheMisses()).isZero();
    }

    @Test
    void captionsMissingFromTheCacheAreComputedPerStepAndCountedButNotAdded() {
        PFormer pformer = Blip2Fixtures.frozenPformer(manager, 4);
        PFormerTargetCache cache = PFormerTargetCache.build(pformer, buildBatches(new int[] {0, 1, 2, 3}).iterator(),
                "fp", manager);
        PFormerTargets cached = PFormerTargets.cached(pformer, cache);
        ImageTextBatch batch = W.batch(new int[] {2, 9, 0, 13, 9}, "");
        assertThat(targets(cached, batch)).containsExactly(targets(PFormerTargets.perStep(pformer), batch));
        assertThat(cached.cacheMisses()).isEqualTo(3);
        assertThat(cache.size()).isEqualTo(4);
    }

    @Test
    void theReferenceCodesTrainModeTargetsCarryDropoutNoise() {
        PFormer pformer = Blip2Fixtures.frozenPformer(manager, 4);
        ImageTextBatch batch = W.batch(new int[] {0, 1, 2}, "");
        float[] eval = targets(PFormerTargets.perStep(pformer), batch);
        assertThat(targets(PFormerTargets.perStepWithDropout(pformer), batch)).isNotEqualTo(eval);
        assertThat(targets(PFormerTargets.perStep(pformer), batch)).containsExactly(eval);
    }

    @Test
    void aCacheForOtherWeightsOrAnotherFileIsRefusedWithAClearError() throws IOException {
        PFormer pformer = Blip2Fixtures.frozenPformer(manager, 4);
        Path file = tmp.resolve("targets.safetensors");
        PFormerTargetCache.build(pformer, buildBatches(new int[] {0, 1}).iterator(), "pformer@abc", manager).save(file);
        assertThatThrownBy(() -> PFormerTargetCache.load(file, "pformer@xyz"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("built for 'pformer@abc'")
                .hasMessageContaining("needs 'pformer@xyz'");
        assertThat(PFormerTargetCache.load(file, null).size()).isEqualTo(2);

        Path weights = tmp.resolve("stage1.safetensors");
        new Blip2Stage1(org.pformer.model.nn.ParameterFactory.random(manager, 7), W.qformer(4),
                Blip2Fixtures.frozenVit(manager), 0).saveWeights(weights);
        assertThatThrownBy(() -> PFormerTargetCache.load(weights, null))
                .hasMessageContaining("is not a P-Former target cache")
                .hasMessageContaining("blip2-stage1/1");

        PFormerTargetCache wide = new PFormerTargetCache(64, "fp");
        assertThatThrownBy(() -> PFormerTargets.cached(pformer, wide)).hasMessageContaining("64-d [CLS] states");
        Files.delete(file);
        assertThatThrownBy(() -> PFormerTargetCache.load(file, null)).isInstanceOf(IOException.class);
    }
}
