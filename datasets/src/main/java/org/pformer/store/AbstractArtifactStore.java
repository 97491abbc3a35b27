package org.pformer.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The store protocol on top of a few backend primitives. Write: delete the old manifest, write the object
 * (atomically visible), then write the manifest that commits it. Read: load the manifest, check it against
 * the reference, stream the object into a temporary file while hashing, and move it into place only if
 * digest and size match.
 */
abstract class AbstractArtifactStore implements ArtifactStore {

    static final String DIRECTORY_MANIFEST = "_directory.json";
    private static final String MANIFEST_FORMAT = "pformer-artifact/1";
    private static final String DIRECTORY_FORMAT = "pformer-directory/1";

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Sidecar committing one object. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Manifest(String format, String key, String uri, String sha256, long bytes, String created) {}

    /** One file of a directory artifact. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record DirectoryEntry(String path, String sha256, long bytes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record DirectoryManifest(String format, String prefix, List<DirectoryEntry> files) {}

    // ---- backend primitives -------------------------------------------------------------------------------

    /** Makes {@code file} visible under {@code key} in one step (readers see the old object, none, or the new one). */
    protected abstract void writeObject(String key, Path file, ArtifactRef described);

    protected abstract void writeObject(String key, byte[] bytes);

    /** Streams the object to {@code out}; false if it does not exist. */
    protected abstract boolean readObject(String key, OutputStream out) throws IOException;

    /** Small objects (manifests). */
    protected abstract Optional<byte[]> readSmallObject(String key);

    protected abstract boolean deleteObject(String key);

    /** Raw keys under a prefix, objects and manifests alike, in any order. */
    protected abstract List<String> listRawKeys(String prefix);

    /** The key of a URI inside this store, or a clear error if the URI points elsewhere. */
    protected abstract String keyOf(String uri);

    // ---- protocol ------------------------------------------------------------------------------------------

    @Override
    public ArtifactRef put(String key, Path file) {
        StoreKeys.validate(key);
        if (!Files.isRegularFile(file)) {
            throw new StoreException("cannot store " + file + " under " + uriOf(key) + ": not a regular file");
        }
        ArtifactRef ref = Digests.describe(uriOf(key), file);
        deleteObject(manifestKey(key));
        writeObject(key, file, ref);
        commit(key, ref);
        return ref;
    }

    @Override
    public ArtifactRef put(String key, byte[] bytes) {
        StoreKeys.validate(key);
        ArtifactRef ref = new ArtifactRef(uriOf(key), Digests.sha256Hex(bytes), bytes.length);
        deleteObject(manifestKey(key));
        writeObject(key, bytes);
        commit(key, ref);
        return ref;
    }

    private void commit(String key, ArtifactRef ref) {
        Manifest m = new Manifest(MANIFEST_FORMAT, key, ref.uri(), ref.sha256(), ref.bytes(), Instant.now().toString());
        try {
            writeObject(manifestKey(key), JSON.writeValueAsBytes(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<ArtifactRef> find(String key) {
        StoreKeys.validate(key);
        return readManifest(key).map(m -> new ArtifactRef(uriOf(key), m.sha256(), m.bytes()));
    }

    private Optional<Manifest> readManifest(String key) {
        Optional<byte[]> raw = readSmallObject(manifestKey(key));
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            Manifest m = JSON.readValue(raw.get(), Manifest.class);
            if (m.sha256() == null || m.bytes() < 0) {
                throw new ArtifactIntegrityException("manifest of " + uriOf(key) + " is incomplete (no sha256 or size)");
            }
            return Optional.of(m);
        } catch (IOException e) {
            throw new ArtifactIntegrityException("manifest of " + uriOf(key) + " is not valid JSON: " + e.getMessage());
        }
    }

    @Override
    public List<ArtifactRef> list(String prefix) {
        List<ArtifactRef> refs = new ArrayList<>();
        for (String raw : listRawKeys(prefix)) {
            if (raw.endsWith(StoreKeys.MANIFEST_SUFFIX)) {
                String key = raw.substring(0, raw.length() - StoreKeys.MANIFEST_SUFFIX.length());
                readManifest(key).ifPresent(m -> refs.add(new ArtifactRef(uriOf(key), m.sha256(), m.bytes())));
            }
        }
        refs.sort(java.util.Comparator.comparing(ArtifactRef::uri));
        return refs;
    }

    @Override
    public void download(ArtifactRef ref, Path destination) {
        String key = checkedKey(ref);
        Path parent = destination.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "." + destination.getFileName(), ".part");
            try {
                MessageDigest digest = Digests.sha256();
                long size;
                try (CountingDigestOutputStream out = new CountingDigestOutputStream(Files.newOutputStream(tmp), digest)) {
                    if (!readObject(key, out)) {
                        throw new ArtifactNotFoundException("artifact " + ref.uri()
                                + " has a manifest but no object: it was deleted or never completed");
                    }
                    size = out.count();
                }
                verify(ref, Digests.hex(digest), size);
                moveIntoPlace(tmp, destination);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StoreException("cannot download " + ref.uri() + " to " + destination + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] readBytes(ArtifactRef ref) {
        String key = checkedKey(ref);
        if (ref.bytes() > Integer.MAX_VALUE - 16) {
            throw new StoreException(ref.uri() + " is too large to read into memory (" + ref.bytes() + " bytes); download it");
        }
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream((int) ref.bytes());
        try {
            if (!readObject(key, buffer)) {
                throw new ArtifactNotFoundException("artifact " + ref.uri()
                        + " has a manifest but no object: it was deleted or never completed");
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + ref.uri() + ": " + e.getMessage(), e);
        }
        byte[] bytes = buffer.toByteArray();
        verify(ref, Digests.sha256Hex(bytes), bytes.length);
        return bytes;
    }

    /** The reference must point into this store and agree with the committed manifest. */
    private String checkedKey(ArtifactRef ref) {
        String key = StoreKeys.validate(keyOf(ref.uri()));
        Manifest m = readManifest(key).orElseThrow(() -> new ArtifactNotFoundException(
                "no committed artifact at " + ref.uri() + " (missing, deleted, or its upload never completed)"));
        if (!m.sha256().equals(ref.sha256()) || m.bytes() != ref.bytes()) {
            throw new ArtifactIntegrityException("artifact " + ref.uri() + " was replaced: the reference expects sha256 "
                    + ref.sha256() + " (" + ref.bytes() + " bytes), the store holds sha256 " + m.sha256()
                    + " (" + m.bytes() + " bytes)");
        }
        return key;
    }

    private static void verify(ArtifactRef ref, String actualSha, long actualBytes) {
        if (actualBytes != ref.bytes() || !actualSha.equals(ref.sha256())) {
            throw new ArtifactIntegrityException("artifact " + ref.uri() + " is corrupt: expected sha256 " + ref.sha256()
                    + " and " + ref.bytes() + " bytes, read sha256 " + actualSha + " and " + actualBytes + " bytes");
        }
    }

    @Override
    public boolean delete(String key) {
        StoreKeys.validate(key);
        boolean hadManifest = deleteObject(manifestKey(key));
        boolean hadObject = deleteObject(key);
        return hadManifest || hadObject;
    }

    @Override
    public ArtifactRef putDirectory(String prefix, Path directory) {
        String base = StoreKeys.validate(stripSlash(prefix));
        if (!Files.isDirectory(directory)) {
            throw new StoreException("cannot store directory " + directory + " under " + uriOf(base) + ": not a directory");
        }
        List<DirectoryEntry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            List<Path> regular = files.filter(Files::isRegularFile).sorted().toList();
            for (Path file : regular) {
                String relative = directory.relativize(file).toString().replace('\\', '/');
                if (relative.equals(DIRECTORY_MANIFEST)) {
                    throw new StoreException(file + ": the name " + DIRECTORY_MANIFEST + " is reserved for the directory manifest");
                }
                ArtifactRef ref = put(StoreKeys.join(base, relative), file);
                entries.add(new DirectoryEntry(relative, ref.sha256(), ref.bytes()));
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + directory + ": " + e.getMessage(), e);
        }
        try {
            return put(StoreKeys.join(base, DIRECTORY_MANIFEST),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new DirectoryManifest(DIRECTORY_FORMAT, base, entries)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void downloadDirectory(ArtifactRef directoryRef, Path destination) {
        DirectoryManifest manifest = readDirectoryManifest(directoryRef);
        Path root = destination.toAbsolutePath().normalize();
        for (DirectoryEntry e : manifest.files()) {
            StoreKeys.validate(e.path());
            Path target = root.resolve(e.path()).normalize();
            if (!target.startsWith(root)) {
                throw new ArtifactIntegrityException("directory manifest " + directoryRef.uri() + " lists a path that leaves "
                        + "the destination: " + e.path());
            }
            download(new ArtifactRef(uriOf(StoreKeys.join(manifest.prefix(), e.path())), e.sha256(), e.bytes()), target);
        }
    }

    @Override
    public List<ArtifactRef> directoryFiles(ArtifactRef directoryRef) {
        DirectoryManifest manifest = readDirectoryManifest(directoryRef);
        return manifest.files().stream()
                .map(e -> new ArtifactRef(uriOf(StoreKeys.join(manifest.prefix(), e.path())), e.sha256(), e.bytes()))
                .toList();
    }

    private DirectoryManifest readDirectoryManifest(ArtifactRef directoryRef) {
        byte[] raw = readBytes(directoryRef);
        try {
            DirectoryManifest m = JSON.readValue(raw, DirectoryManifest.class);
            if (!DIRECTORY_FORMAT.equals(m.format()) || m.files() == null || m.prefix() == null) {
                throw new ArtifactIntegrityException(directoryRef.uri() + " is not a directory manifest (format "
                        + m.format() + ", expected " + DIRECTORY_FORMAT + ")");
            }
            return m;
        } catch (IOException e) {
            throw new ArtifactIntegrityException(directoryRef.uri() + " is not a directory manifest: " + e.getMessage());
        }
    }

    static String manifestKey(String key) {
        return key + StoreKeys.MANIFEST_SUFFIX;
    }

    private static String stripSlash(String prefix) {
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    static void moveIntoPlace(Path tmp, Path destination) throws IOException {
        try {
            Files.move(tmp, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, destination, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Hashes and counts what passes through. */
    static final class CountingDigestOutputStream extends java.io.FilterOutputStream {
        private final MessageDigest digest;
        private long count;

        CountingDigestOutputStream(OutputStream out, MessageDigest digest) {
            super(out);
            this.digest = digest;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }
    }
}
