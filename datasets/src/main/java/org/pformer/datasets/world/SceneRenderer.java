package org.pformer.datasets.world;

import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Renders a scene to a square RGB image with the JDK's 2-D geometry: a noisy background (plain, striped or
 * dotted, random grey level and tint), then each object filled at 2×2 supersampling (point-in-shape tests on
 * sub-pixel centres, so the pixels depend only on the geometry, never on a rendering pipeline), with jittered
 * position, size, rotation and colour. PNG encoding by ImageIO writes no timestamps, so bytes are reproducible.
 */
final class SceneRenderer {

    /** The unit outlines, built once (Area construction of the composite shapes is costly). */
    private static final Area[] UNIT_SHAPES = new Area[Shape.values().length];

    static {
        for (Shape s : Shape.values()) {
            UNIT_SHAPES[s.ordinal()] = new Area(unitShape(s));
        }
    }

    private SceneRenderer() {}

    static BufferedImage render(Scene scene, int size, SplittableRandom rng) {
        int[] px = background(scene.background(), size, rng);
        double cell = size / 3.0;
        for (WorldObject o : scene.objects()) {
            double cx = (o.col() + 0.5) * cell + (rng.nextDouble() - 0.5) * 0.24 * cell;
            double cy = (o.row() + 0.5) * cell + (rng.nextDouble() - 0.5) * 0.24 * cell;
            double radius = (o.size() == ObjectSize.LARGE ? 0.40 : 0.23) * cell * (0.9 + 0.2 * rng.nextDouble());
            double angle = (rng.nextDouble() - 0.5) * 0.35;
            int r = jitter(o.colour().r(), rng);
            int g = jitter(o.colour().g(), rng);
            int b = jitter(o.colour().b(), rng);
            // translate · rotate · scale, built with StrictMath so every JVM computes the same pixels.
            double cos = StrictMath.cos(angle) * radius;
            double sin = StrictMath.sin(angle) * radius;
            AffineTransform t = new AffineTransform(cos, sin, -sin, cos, cx, cy);
            // Curves flattened to within 1/50 px: polygon tests are an order of magnitude cheaper than Area's.
            Path2D.Double outline = new Path2D.Double(Path2D.WIND_NON_ZERO);
            outline.append(UNIT_SHAPES[o.shape().ordinal()].getPathIterator(t, 0.02), false);
            fill(px, size, outline, (r << 16) | (g << 8) | b);
        }
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        img.getRaster().setDataElements(0, 0, size, size, px);
        return img;
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int jitter(int v, SplittableRandom rng) {
        return clamp(v + rng.nextInt(-12, 13));
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static int[] background(Background kind, int size, SplittableRandom rng) {
        int grey = 75 + rng.nextInt(60);
        int tr = rng.nextInt(-8, 9);
        int tg = rng.nextInt(-8, 9);
        int tb = rng.nextInt(-8, 9);
        int period = Math.max(3, size / (6 + rng.nextInt(6)));
        int orientation = rng.nextInt(3);
        int spacing = Math.max(4, size / 8 + rng.nextInt(3));
        int[] px = new int[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int texture = switch (kind) {
                    case PLAIN -> 0;
                    case STRIPED -> {
                        int coord = orientation == 0 ? y : orientation == 1 ? x : x + y;
                        yield (coord / period) % 2 == 0 ? 14 : -14;
                    }
                    case DOTTED -> {
                        int dx = x % spacing - spacing / 2;
                        int dy = y % spacing - spacing / 2;
                        yield dx * dx + dy * dy <= (spacing * spacing) / 16 ? -30 : 0;
                    }
                };
                int noise = rng.nextInt(-8, 9);
                int v = grey + texture + noise;
                px[y * size + x] = (clamp(v + tr) << 16) | (clamp(v + tg) << 8) | clamp(v + tb);
            }
        }
        return px;
    }

    /** Blends {@code rgb} into the pixels by the fraction of 4 sub-pixel samples inside {@code shape}. */
    private static void fill(int[] px, int size, java.awt.Shape shape, int rgb) {
        Rectangle2D bounds = shape.getBounds2D();
        int x0 = Math.max(0, (int) Math.floor(bounds.getMinX()));
        int y0 = Math.max(0, (int) Math.floor(bounds.getMinY()));
        int x1 = Math.min(size - 1, (int) Math.ceil(bounds.getMaxX()));
        int y1 = Math.min(size - 1, (int) Math.ceil(bounds.getMaxY()));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int k = 0;
                for (int sy = 0; sy < 2; sy++) {
                    for (int sx = 0; sx < 2; sx++) {
                        if (shape.contains(x + 0.25 + 0.5 * sx, y + 0.25 + 0.5 * sy)) {
                            k++;
                        }
                    }
                }
                if (k > 0) {
                    int bg = px[y * size + x];
                    int r = (((bg >> 16) & 0xff) * (4 - k) + ((rgb >> 16) & 0xff) * k + 2) / 4;
                    int g = (((bg >> 8) & 0xff) * (4 - k) + ((rgb >> 8) & 0xff) * k + 2) / 4;
                    int b = ((bg & 0xff) * (4 - k) + (rgb & 0xff) * k + 2) / 4;
                    px[y * size + x] = (r << 16) | (g << 8) | b;
                }
            }
        }
    }

    /** Each shape centred on the origin with radius about 1 (y grows downwards). */
    static java.awt.Shape unitShape(Shape s) {
        return switch (s) {
            case CIRCLE -> new Ellipse2D.Double(-1, -1, 2, 2);
            case SQUARE -> new Rectangle2D.Double(-0.82, -0.82, 1.64, 1.64);
            case TRIANGLE -> polygon(0, -1, 0.95, 0.8, -0.95, 0.8);
            case DIAMOND -> polygon(0, -1, 0.68, 0, 0, 1, -0.68, 0);
            case STAR -> star();
            case CROSS -> {
                Area a = new Area(new Rectangle2D.Double(-1, -0.32, 2, 0.64));
                a.add(new Area(new Rectangle2D.Double(-0.32, -1, 0.64, 2)));
                yield a;
            }
            case HEART -> {
                Area a = new Area(new Ellipse2D.Double(-0.98, -0.85, 1.0, 1.0));
                a.add(new Area(new Ellipse2D.Double(-0.02, -0.85, 1.0, 1.0)));
                a.add(new Area(polygon(-0.93, -0.2, 0.93, -0.2, 0, 0.98)));
                yield a;
            }
            case CRESCENT -> {
                Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
                a.subtract(new Area(new Ellipse2D.Double(-0.45, -1.0, 1.7, 1.7)));
                yield a;
            }
        };
    }

    private static Path2D polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    private static Path2D star() {
        double[] xy = new double[20];
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? 1.0 : 0.45;
            double a = -Math.PI / 2 + i * Math.PI / 5;
            xy[2 * i] = r * StrictMath.cos(a);
            xy[2 * i + 1] = r * StrictMath.sin(a);
        }
        return polygon(xy);
    }
}
