package org.pformer.datasets.image;

/**
 * Bicubic resampling exactly as Pillow's {@code Image.resize(size, Image.BICUBIC)} computes it on 8-bit images
 * (the resize torchvision applies to PIL images, hence LAVIS's image processors): a separable cubic convolution
 * with a = −0.5 whose support widens with the scale factor when shrinking (antialiasing); weights normalised in
 * double precision, then rounded to 22-bit fixed point; horizontal pass first (only over the rows the vertical
 * pass needs), each pass rounded and clamped to 0–255; a pass is skipped when its dimension does not change.
 */
public final class BicubicResize {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private BicubicResize() {}

    public static RgbImage resize(RgbImage in, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        boolean horizontal = width != in.width();
        boolean vertical = height != in.height();
        Coefficients h = coefficients(in.width(), width);
        Coefficients v = coefficients(in.height(), height);
        byte[] src = in.rgb();
        int srcW = in.width();
        int firstRow = 0;
        int rows = in.height();
        if (horizontal) {
            // Only the source rows the vertical pass reads are resampled horizontally.
            firstRow = v.bounds[0];
            rows = v.bounds[2 * (height - 1)] + v.bounds[2 * (height - 1) + 1] - firstRow;
            src = resampleHorizontal(src, srcW, firstRow, rows, width, h);
            srcW = width;
        }
        if (vertical) {
            src = resampleVertical(src, srcW, firstRow, height, v);
        } else if (!horizontal) {
            src = src.clone();
        }
        return new RgbImage(width, height, src);
    }

    /** Per output position: the first input index, the number of inputs and their fixed-point weights. */
    private record Coefficients(int ksize, int[] bounds, int[] weights) {}

    private static double cubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * outSize];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                int pos = x + xmin;
                double w = cubic((pos - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                        : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return new Coefficients(ksize, bounds, weights);
    }

    private static int clip8(int v) {
        int s = v >> PRECISION_BITS;
        return s < 0 ? 0 : Math.min(s, 255);
    }

    private static byte[] resampleHorizontal(byte[] src, int srcW, int firstRow, int rows, int outW, Coefficients c) {
        byte[] out = new byte[3 * outW * rows];
        for (int y = 0; y < rows; y++) {
            int rowBase = 3 * (firstRow + y) * srcW;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.bounds[2 * xx];
                int n = c.bounds[2 * xx + 1];
                int kb = xx * c.ksize;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int x = 0; x < n; x++) {
                    int p = rowBase + 3 * (xmin + x);
                    int w = c.weights[kb + x];
                    s0 += (src[p] & 0xff) * w;
                    s1 += (src[p + 1] & 0xff) * w;
                    s2 += (src[p + 2] & 0xff) * w;
                }
                int o = 3 * (y * outW + xx);
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return out;
    }

    private static byte[] resampleVertical(byte[] src, int w, int firstRow, int outH, Coefficients c) {
        byte[] out = new byte[3 * w * outH];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.bounds[2 * yy] - firstRow;
            int n = c.bounds[2 * yy + 1];
            int kb = yy * c.ksize;
            for (int x = 0; x < 3 * w; x++) {
                int s = 1 << (PRECISION_BITS - 1);
                for (int y = 0; y < n; y++) {
                    s += (src[3 * (ymin + y) * w + x] & 0xff) * c.weights[kb + y];
                }
                out[3 * yy * w + x] = (byte) clip8(s);
            }
        }
        return out;
    }
}
