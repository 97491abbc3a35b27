package org.pformer.datasets.world;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Command-line entry: {@code GenerateWorld --size tiny|default|large --seed N --out DIR [--image-size 64]}.
 * Prints the world digest, the size on disk and the time taken. Re-running on a finished directory verifies it.
 */
public final class GenerateWorld {

    private GenerateWorld() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        String size = "default";
        long seed = 1;
        int imageSize = WorldSpec.DEFAULT_IMAGE_SIZE;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw usage(a + " needs a value");
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--size" -> size = v;
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--image-size" -> imageSize = Integer.parseInt(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw usage("unknown argument '" + a + "'");
                }
            } catch (NumberFormatException e) {
                throw usage(a + " expects an integer, got '" + v + "'");
            }
        }
        if (out == null) {
            throw usage("--out is required");
        }
        long t0 = System.nanoTime();
        WorldManifest m = WorldGenerator.generate(new WorldSpec(size, seed, imageSize), out);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long bytes;
        long files;
        try (Stream<Path> walk = Files.walk(out)) {
            long[] acc = new long[2];
            walk.filter(Files::isRegularFile).forEach(p -> {
                acc[0] += p.toFile().length();
                acc[1]++;
            });
            bytes = acc[0];
            files = acc[1];
        }
        System.out.printf("world %s seed %d (%dpx) in %s: digest %s, %d files, %.1f MiB, %.1f s%n", size, seed,
                imageSize, out, m.digest(), files, bytes / 1048576.0, seconds);
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message
                + "\nusage: GenerateWorld --size tiny|default|large --seed N --out DIR [--image-size N]");
    }
}
