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
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
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

    /** What {@link #probe} read from an image file's header. */
    public record Header(String format, int width, int height) {}

    /**
     * Checks that {@code file} is an image a decoder recognises, reading its header only (format signature and
     * dimensions, not the pixels): cheap enough to check every image of a dataset before training starts.
     *
     * @throws NoSuchFileException the file does not exist
     * @throws MalformedDataException no decoder recognises it, or its header does not parse; the message names the
     *     file and what was expected
     */
    public static Header probe(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "image file not found");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new MalformedDataException(file.toString(), "not a JPEG or PNG image (" + Files.size(file)
                        + " bytes starting " + signature(file) + ")");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                Header h = new Header(reader.getFormatName().toLowerCase(Locale.ROOT), reader.getWidth(0),
                        reader.getHeight(0));
                if (h.width() <= 0 || h.height() <= 0) {
                    throw new MalformedDataException(file.toString(), "image header says " + h.width() + "x"
                            + h.height() + " pixels; expected a non-empty image");
                }
                return h;
            } catch (IOException | RuntimeException e) {
                if (e instanceof MalformedDataException m) {
                    throw m;
                }
                throw new MalformedDataException(file.toString(), "cannot read the image header (" + e.getMessage()
                        + "); expected a JPEG or PNG file", e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** The first bytes of a file, as hex, for error messages. */
    private static String signature(Path file) throws IOException {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        StringBuilder sb = new StringBuilder(n == 0 ? "with nothing" : "0x");
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", head[i]));
        }
        return sb.toString();
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
