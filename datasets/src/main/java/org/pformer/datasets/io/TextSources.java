package org.pformer.datasets.io;

import com.amazonaws.services.s3.AmazonS3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The {@link TextSource}s of a list of locations, each a local path ({@link LocalTextSources}) or an s3:// URI ({@link S3TextSources}). */
public final class TextSources {

    private TextSources() {}

    /** One listed location: its own name, whether it named a single file, and its sources. */
    record Root(String name, boolean single, List<? extends TextSource> sources) {}

    /**
     * The sources of {@code locations}, in the order given, each location's files sorted by name. With one
     * location the names are relative to it; with more every name is prefixed by its location's own name
     * ({@code corpus/part-0.txt}, or just {@code part-0.txt} for a single file), and two locations with the same
     * name are refused.
     *
     * @param s3 the client for s3:// locations; may be null when there are none
     */
    public static List<TextSource> list(List<String> locations, AmazonS3 s3) throws IOException {
        List<Root> roots = new ArrayList<>();
        for (String location : locations) {
            if (S3TextSources.isS3(location)) {
                if (s3 == null) {
                    throw new IllegalArgumentException(location + " is an S3 location but no S3 client was given");
                }
                List<S3TextSources.S3File> files = S3TextSources.list(s3, location);
                roots.add(new Root(S3TextSources.rootName(location),
                        files.size() == 1 && files.get(0).uri().equals(location), files));
            } else {
                roots.add(LocalTextSources.root(Path.of(location)));
            }
        }
        return combine(roots);
    }

    static List<TextSource> combine(List<Root> roots) {
        if (roots.size() == 1) {
            return List.copyOf(roots.get(0).sources());
        }
        List<TextSource> all = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Root root : roots) {
            if (!names.add(root.name())) {
                throw new IllegalArgumentException("two input locations are both named '" + root.name() + "': "
                        + roots.stream().map(Root::name).toList());
            }
            for (TextSource s : root.sources()) {
                all.add(root.single() ? s : new Renamed(root.name() + "/" + s.name(), s));
            }
        }
        return List.copyOf(all);
    }

    /** A source under another name (its location's name in front). */
    record Renamed(String name, TextSource source) implements TextSource {

        @Override
        public long size() {
            return source.size();
        }

        @Override
        public String revision() {
            return source.revision();
        }

        @Override
        public InputStream open() throws IOException {
            return source.open();
        }
    }
}
