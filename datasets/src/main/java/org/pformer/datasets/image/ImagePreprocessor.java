package org.pformer.datasets.image;

import java.util.random.RandomGenerator;

/**
 * The image processors of BLIP-2 (LAVIS {@code blip_image_eval} / {@code blip2_image_train}), producing
 * float32 CHW arrays:
 * <ul>
 *   <li>eval: bicubic resize to {@code imageSize × imageSize} (aspect ratio not kept), then {@code x / 255},
 *       then {@code (x − mean) / std} with the CLIP statistics — torchvision's {@code Resize}, {@code ToTensor},
 *       {@code Normalize}, in float32 as they compute it;</li>
 *   <li>train: torchvision's {@code RandomResizedCrop(imageSize, scale=(0.5, 1.0), ratio=(3/4, 4/3),
 *       bicubic)}, an optional horizontal flip with probability ½, then the same normalisation. The random
 *       numbers come from the caller's generator, so a training run replays exactly from a seed.</li>
 * </ul>
 * Thread-safe.
 */
public final class ImagePreprocessor {

    /** CLIP's per-channel mean (LAVIS {@code BlipImageBaseProcessor}). */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** CLIP's per-channel standard deviation. */
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /**
     * Settings.
     *
     * @param imageSize side of the square model input (224 for EVA ViT-g at 224 px; 364 in LAVIS's train config)
     * @param minScale smallest crop area fraction of RandomResizedCrop (LAVIS blip2: 0.5)
     * @param maxScale largest crop area fraction (1.0)
     * @param horizontalFlip flip half of the training images left–right
     */
    public record Options(int imageSize, float[] mean, float[] std, double minScale, double maxScale,
                          boolean horizontalFlip) {

        public Options {
            if (imageSize < 1) {
                throw new IllegalArgumentException("imageSize must be >= 1, got " + imageSize);
            }
            if (mean.length != 3 || std.length != 3) {
                throw new IllegalArgumentException("mean and std need 3 values each");
            }
            if (!(0 < minScale && minScale <= maxScale && maxScale <= 1)) {
                throw new IllegalArgumentException("need 0 < minScale <= maxScale <= 1, got " + minScale + ", "
                        + maxScale);
            }
            mean = mean.clone();
            std = std.clone();
        }

        /** LAVIS's BLIP-2 processors: CLIP statistics, crop scale 0.5–1.0, horizontal flip on. */
        public static Options lavisBlip2(int imageSize) {
            return new Options(imageSize, CLIP_MEAN, CLIP_STD, 0.5, 1.0, true);
        }

        /**
         * The shipped world: as LAVIS but WITHOUT the horizontal flip. World captions and questions state left/right
         * relations ("a red circle to the left of a blue star"); a mirrored image would contradict its caption and
         * teach the model the wrong relation, so flipping is off (it is harmless on web photos, rarely on the world).
         */
        public static Options world(int imageSize) {
            return new Options(imageSize, CLIP_MEAN, CLIP_STD, 0.5, 1.0, false);
        }
    }

    private static final double MIN_RATIO = 3.0 / 4.0;
    private static final double MAX_RATIO = 4.0 / 3.0;

    private final Options options;

    public ImagePreprocessor(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** The evaluation transform. */
    public ChwImage eval(RgbImage image) {
        return normalize(BicubicResize.resize(image, options.imageSize(), options.imageSize()));
    }

    /** The training transform, drawing its randomness from {@code rng}. */
    public ChwImage train(RgbImage image, RandomGenerator rng) {
        Crop c = randomResizedCrop(image.width(), image.height(), options.minScale(), options.maxScale(), rng);
        RgbImage out = BicubicResize.resize(image.crop(c.left(), c.top(), c.width(), c.height()),
                options.imageSize(), options.imageSize());
        if (options.horizontalFlip() && rng.nextDouble() < 0.5) {
            out = out.flipHorizontal();
        }
        return normalize(out);
    }

    /** A crop rectangle. */
    public record Crop(int top, int left, int height, int width) {}

    /**
     * torchvision's {@code RandomResizedCrop.get_params}: up to ten tries of an area fraction uniform in
     * [minScale, maxScale] and a log-uniform aspect ratio in [3/4, 4/3]; else a centre crop clamped to the ratio
     * range. Rounding is Python's (half to even).
     */
    public static Crop randomResizedCrop(int width, int height, double minScale, double maxScale,
                                         RandomGenerator rng) {
        double area = (double) width * height;
        double logMin = StrictMath.log(MIN_RATIO);
        double logMax = StrictMath.log(MAX_RATIO);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minScale + (maxScale - minScale) * rng.nextDouble());
            double aspect = StrictMath.exp(logMin + (logMax - logMin) * rng.nextDouble());
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new Crop(top, left, h, w);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < MIN_RATIO) {
            w = width;
            h = (int) Math.rint(w / MIN_RATIO);
        } else if (inRatio > MAX_RATIO) {
            h = height;
            w = (int) Math.rint(h * MAX_RATIO);
        } else {
            w = width;
            h = height;
        }
        return new Crop((height - h) / 2, (width - w) / 2, h, w);
    }

    /** {@code ToTensor} then {@code Normalize}, in float32. */
    public ChwImage normalize(RgbImage img) {
        int h = img.height();
        int w = img.width();
        float[] out = new float[3 * h * w];
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            float mean = options.mean()[c];
            float std = options.std()[c];
            int base = c * h * w;
            for (int i = 0; i < h * w; i++) {
                float x = (rgb[3 * i + c] & 0xff) / 255f;
                out[base + i] = (x - mean) / std;
            }
        }
        return new ChwImage(3, h, w, out);
    }
}
