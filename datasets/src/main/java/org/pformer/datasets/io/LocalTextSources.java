package org.pformer.datasets.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** {@link TextSource}s over the local file system: one file, or every regular file below a directory. */
public final class LocalTextSources {

    private LocalTextSources() {}

    /** A single local file, named by its file name. */
    public static TextSource file(Path file) {
        return new LocalFile(file.getFileName().toString(), file);
    }

    /**
     * Every regular, non-hidden file below {@code root} (recursively), named by its path relative to
     * {@code root} with '/' separators and sorted by that name, so the order is the same on every machine. A plain
     * file yields itself.
     */
    public static List<TextSource> list(Path root) throws IOException {
        if (!Files.exists(root)) {
            throw new NoSuchFileException(root.toString(), null, "input path does not exist");
        }
        if (Files.isRegularFile(root)) {
            return List.of(file(root));
        }
        List<TextSource> sources = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !isHidden(root.relativize(p)))
                    .forEach(p -> sources.add(new LocalFile(relativeName(root, p), p)));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        sources.sort(Comparator.comparing(TextSource::name));
        return List.copyOf(sources);
    }

    /**
     * The sources of several roots, in the order given, each root's files sorted; names as
     * {@link TextSources#list(List, com.amazonaws.services.s3.AmazonS3)} gives them.
     */
    public static List<TextSource> list(List<Path> roots) throws IOException {
        List<TextSources.Root> listed = new ArrayList<>();
        for (Path root : roots) {
            listed.add(root(root));
        }
        return TextSources.combine(listed);
    }

    /** One root, named by its own file name. */
    static TextSources.Root root(Path root) throws IOException {
        return new TextSources.Root(root.toAbsolutePath().normalize().getFileName().toString(),
                Files.isRegularFile(root), list(root));
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relativeName(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /** A local file. */
    public record LocalFile(String name, Path path) implements TextSource {

        @Override
        public long size() {
            try {
                return Files.size(path);
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(path);
        }
    }
}
