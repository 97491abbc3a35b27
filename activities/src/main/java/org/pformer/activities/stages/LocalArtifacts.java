package org.pformer.activities.stages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.pformer.activities.StoreRegistry;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;

/**
 * Local, verified copies of stored artifacts, cached by digest under the worker's work root: an upstream result
 * (the world, token shards, weights) is downloaded once per worker and shared by every stage that reads it. A copy
 * appears in the cache only once complete (download into a temporary directory, then an atomic rename), so a crash
 * mid-download never leaves a half copy that looks finished.
 */
public final class LocalArtifacts {

    private final StoreRegistry stores;
    private final ArtifactStore home;
    private final Path cacheDir;

    /**
     * @param home the pipeline's own store: artifacts under its root are read through it (a directory artifact's
     *     file keys are relative to the root of the store that wrote it)
     */
    LocalArtifacts(StoreRegistry stores, ArtifactStore home, Path cacheDir) {
        this.stores = stores;
        this.home = home;
        this.cacheDir = cacheDir;
    }

    /** A local copy of the directory artifact {@code ref} (its {@code _directory.json}), verified file by file. */
    public Path directory(ArtifactRef ref) {
        return cached(ref, "dir", target -> store(ref).downloadDirectory(ref, target));
    }

    /** A local copy of the file artifact {@code ref}, verified against its digest. */
    public Path file(ArtifactRef ref) {
        String name = ref.uri().substring(ref.uri().lastIndexOf('/') + 1);
        return cached(ref, "file", target -> {
            Files.createDirectories(target);
            store(ref).download(ref, target.resolve(name));
        }).resolve(name);
    }

    private ArtifactStore store(ArtifactRef ref) {
        return ref.uri().startsWith(home.rootUri() + "/") ? home : stores.containing(ref);
    }

    private interface Download {
        void into(Path target) throws IOException;
    }

    private synchronized Path cached(ArtifactRef ref, String kind, Download download) {
        Path target = cacheDir.resolve(kind + "-" + ref.sha256());
        if (Files.isDirectory(target)) {
            return target;
        }
        Path partial = cacheDir.resolve(".partial-" + kind + "-" + ref.sha256());
        try {
            deleteTree(partial);
            Files.createDirectories(cacheDir);
            download.into(partial);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download " + ref.uri() + " into " + target, e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
