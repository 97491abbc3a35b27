package org.pformer.datasets.world;

/**
 * What to generate: the same spec always gives the same bytes.
 *
 * @param size tiny, default or large
 * @param seed the world seed (scenes, captions, questions and the concept split derive from it)
 * @param imageSize side of the square PNG images (64 by default)
 */
public record WorldSpec(String size, long seed, int imageSize) {

    public static final int DEFAULT_IMAGE_SIZE = 64;
    /** Held-out shapes and colours (of 8 each). */
    public static final int HELD_OUT_SHAPES = 2;
    public static final int HELD_OUT_COLOURS = 2;

    public WorldSpec {
        WorldSize.named(size);
        if (imageSize < 16 || imageSize > 1024) {
            throw new IllegalArgumentException("image size must be in [16, 1024], got " + imageSize);
        }
    }

    public WorldSize counts() {
        return WorldSize.named(size);
    }
}
