package org.pformer.datasets.image;

/**
 * An 8-bit RGB image, pixels row-major and channels interleaved ({@code rgb[3 * (y * width + x) + c]}).
 * The array is owned by the record.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("expected " + 3 * width * height + " bytes for " + width + "x"
                    + height + " RGB, got " + rgb.length);
        }
    }

    /** Channel {@code c} of pixel (x, y), 0–255. */
    public int get(int x, int y, int c) {
        return rgb[3 * (y * width + x) + c] & 0xff;
    }

    /** The sub-image with top-left corner (left, top). */
    public RgbImage crop(int left, int top, int w, int h) {
        if (left < 0 || top < 0 || w <= 0 || h <= 0 || left + w > width || top + h > height) {
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + left + "+" + top + " outside "
                    + width + "x" + height);
        }
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(rgb, 3 * ((top + y) * width + left), out, 3 * y * w, 3 * w);
        }
        return new RgbImage(w, h, out);
    }

    /** The mirror image (left and right swapped). */
    public RgbImage flipHorizontal() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(rgb, 3 * (y * width + x), out, 3 * (y * width + width - 1 - x), 3);
            }
        }
        return new RgbImage(width, height, out);
    }
}
