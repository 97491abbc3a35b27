package org.pformer.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {

    private static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[3 * (y * w + x)] = (byte) (x * 255 / (w - 1));
                rgb[3 * (y * w + x) + 1] = (byte) (y * 255 / (h - 1));
                rgb[3 * (y * w + x) + 2] = (byte) 128;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void randomResizedCropStaysInScaleAndRatioRanges() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            ImagePreprocessor.Crop c = ImagePreprocessor.randomResizedCrop(120, 80, 0.5, 1.0, rng);
            assertThat(c.left()).isBetween(0, 120 - c.width());
            assertThat(c.top()).isBetween(0, 80 - c.height());
            double scale = (double) c.width() * c.height() / (120 * 80);
            double ratio = (double) c.width() / c.height();
            // Rounding to whole pixels may step just outside the continuous ranges.
            assertThat(scale).isBetween(0.47, 1.0);
            assertThat(ratio).isBetween(0.74, 1.35);
        }
    }

    @Test
    void fallbackIsTheCentreCropClampedToTheRatioRange() {
        // A 100x10 strip: no crop with ratio <= 4/3 and area >= 50 % exists, so all tries fail.
        ImagePreprocessor.Crop c = ImagePreprocessor.randomResizedCrop(100, 10, 0.5, 1.0, new SplittableRandom(1));
        assertThat(c).isEqualTo(new ImagePreprocessor.Crop(0, 43, 10, 13));
    }

    @Test
    void trainingTransformReplaysFromTheSeed() {
        ImagePreprocessor p = new ImagePreprocessor(ImagePreprocessor.Options.lavisBlip2(32));
        RgbImage img = gradient(64, 48);
        ChwImage a = p.train(img, new SplittableRandom(42));
        ChwImage b = p.train(img, new SplittableRandom(42));
        ChwImage c = p.train(img, new SplittableRandom(43));
        assertThat(a.data()).isEqualTo(b.data());
        assertThat(a.data()).isNotEqualTo(c.data());
        assertThat(a.height()).isEqualTo(32);
        assertThat(a.width()).isEqualTo(32);
    }

    @Test
    void worldPreprocessingNeverFlipsLavisDoesHalfTheTime() {
        RgbImage img = gradient(40, 40);
        // Red grows left to right; after a flip, the left column is redder than the right one.
        ImagePreprocessor world = new ImagePreprocessor(ImagePreprocessor.Options.world(40));
        ImagePreprocessor lavis = new ImagePreprocessor(ImagePreprocessor.Options.lavisBlip2(40));
        int flippedWorld = 0;
        int flippedLavis = 0;
        for (int seed = 0; seed < 200; seed++) {
            ChwImage w = world.train(img, new SplittableRandom(seed));
            ChwImage l = lavis.train(img, new SplittableRandom(seed));
            flippedWorld += w.get(0, 20, 0) > w.get(0, 20, 39) ? 1 : 0;
            flippedLavis += l.get(0, 20, 0) > l.get(0, 20, 39) ? 1 : 0;
        }
        assertThat(world.options().horizontalFlip()).isFalse();
        assertThat(flippedWorld).isZero();
        assertThat(flippedLavis).isBetween(70, 130);
    }

    @Test
    void evalResizesToTheSquareInputIgnoringAspect() {
        ImagePreprocessor p = new ImagePreprocessor(ImagePreprocessor.Options.world(24));
        ChwImage out = p.eval(gradient(64, 16));
        assertThat(out.height()).isEqualTo(24);
        assertThat(out.width()).isEqualTo(24);
        // Blue is constant 128: (128/255 - mean) / std everywhere.
        float expected = (128 / 255f - ImagePreprocessor.CLIP_MEAN[2]) / ImagePreprocessor.CLIP_STD[2];
        assertThat(out.get(2, 5, 7)).isEqualTo(expected);
    }
}
