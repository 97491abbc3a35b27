package org.pformer.datasets.image;

/**
 * A model-ready image: float32, channel-major ({@code data[(c * height + y) * width + x]}), normalised. The
 * model module turns it into a tensor; this module knows nothing of DJL's engine.
 */
public record ChwImage(int channels, int height, int width, float[] data) {

    public ChwImage {
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("expected " + channels * height * width + " values, got "
                    + data.length);
        }
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
