package org.pformer.datasets.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.pformer.datasets.io.MalformedDataException;

/**
 * Decodes JPEG and PNG files into {@link RgbImage}s the way the reference code's {@code Image.open(p)
 * .convert("RGB")} does: RGB as is, RGBA with the alpha channel dropped (not composited), grayscale replicated to
 * three channels, palette images through their palette; raw samples, no colour management. 16-bit samples keep
 * their high byte. A file that does not decode raises an error naming it.
 */
public final class ImageLoader {

    static {
        ImageIO.setUseCache(false);
    }

    private ImageLoader() {}

    public static RgbImage load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "image file not found");
        }
        return decode(Files.readAllBytes(file), file.toString());
    }

    public static RgbImage decode(InputStream in, String name) throws IOException {
        return decode(in.readAllBytes(), name);
    }

    public static RgbImage decode(byte[] bytes, String name) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new MalformedDataException(name, "cannot decode the image (" + e.getMessage() + "); expected a "
                    + "JPEG or PNG file", e);
        }
        if (img == null) {
            throw new MalformedDataException(name, "not a JPEG or PNG image (" + bytes.length + " bytes)");
        }
        return toRgb(img);
    }

    /** Converts any decoded image to 8-bit RGB without colour management. */
    public static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[3 * w * h];
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int bands = raster.getNumBands();
        int shift = raster.getTransferType() == DataBuffer.TYPE_USHORT ? 8 : 0;
        if (cm instanceof IndexColorModel || (raster.getTransferType() != DataBuffer.TYPE_BYTE && shift == 0)) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = 3 * (y * w + x);
                    out[p] = (byte) (row[x] >>> 16);
                    out[p + 1] = (byte) (row[x] >>> 8);
                    out[p + 2] = (byte) row[x];
                }
            }
            return new RgbImage(w, h, out);
        }
        boolean gray = cm.getColorSpace().getNumComponents() == 1;
        int[] px = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int p = 3 * (y * w + x);
                int s = x * bands;
                if (gray) {
                    byte v = (byte) (px[s] >>> shift);
                    out[p] = v;
                    out[p + 1] = v;
                    out[p + 2] = v;
                } else {
                    out[p] = (byte) (px[s] >>> shift);
                    out[p + 1] = (byte) (px[s + 1] >>> shift);
                    out[p + 2] = (byte) (px[s + 2] >>> shift);
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
