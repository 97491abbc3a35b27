package org.pformer.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A store in a local directory (laptops, tests, a shared file system). Objects are written to a temporary file
 * beside their target, flushed to disk and renamed into place, so a crash leaves either the old object, none,
 * or the complete new one — and only a manifest makes it visible.
 */
public final class LocalArtifactStore extends AbstractArtifactStore {

    private static final String TMP_PREFIX = ".tmp-";

    private final Path root;
    private final String rootUri;

    public LocalArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + this.root + ": " + e.getMessage(), e);
        }
        this.rootUri = "file://" + this.root;
    }

    public Path root() {
        return root;
    }

    @Override
    public String rootUri() {
        return rootUri;
    }

    @Override
    public String uriOf(String key) {
        return rootUri + "/" + StoreKeys.validate(key);
    }

    /** The local file behind a key (for tools that must read in place); the key is validated to stay inside the root. */
    public Path pathOf(String key) {
        return file(StoreKeys.validate(key));
    }

    /** Objects and manifests alike. */
    private Path file(String rawKey) {
        Path p = root.resolve(StoreKeys.validatePath(rawKey)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("store key '" + rawKey + "' leaves the store root " + root);
        }
        return p;
    }

    @Override
    protected String keyOf(String uri) {
        if (!uri.startsWith(rootUri + "/")) {
            throw new StoreException("URI " + uri + " is not inside this store (" + rootUri + ")");
        }
        return uri.substring(rootUri.length() + 1);
    }

    @Override
    protected void writeObject(String key, Path file, ArtifactRef described) {
        writeAtomically(key, out -> Files.copy(file, out));
    }

    @Override
    protected void writeObject(String key, byte[] bytes) {
        writeAtomically(key, out -> out.write(bytes));
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private void writeAtomically(String key, Writer writer) {
        Path target = file(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(TMP_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
            try {
                try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                     OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                    writer.write(out);
                    out.flush();
                    channel.force(true);
                }
                moveIntoPlace(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write " + rootUri + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected boolean readObject(String key, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(file(key))) {
            in.transferTo(out);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    protected Optional<byte[]> readSmallObject(String key) {
        try {
            return Optional.of(Files.readAllBytes(file(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rootUri + "/" + key, e);
        }
    }

    @Override
    protected boolean deleteObject(String key) {
        try {
            return Files.deleteIfExists(file(key));
        } catch (IOException e) {
            throw new StoreException("cannot delete " + rootUri + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected List<String> listRawKeys(String prefix) {
        List<String> keys = new ArrayList<>();
        // walk only below the deepest directory the prefix names
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : file(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return keys;
        }
        try (Stream<Path> files = Files.walk(start)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(TMP_PREFIX))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix))
                    .forEach(keys::add);
        } catch (IOException e) {
            throw new StoreException("cannot list " + rootUri + "/" + prefix + ": " + e.getMessage(), e);
        }
        return keys;
    }

    @Override
    public void close() {
        // nothing held open
    }
}
