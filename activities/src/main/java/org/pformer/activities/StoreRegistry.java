package org.pformer.activities;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pformer.store.ArtifactStore;
import org.pformer.store.ArtifactStores;

/** One open store per root URI for the life of a worker (S3 clients and their thread pools are costly to create). */
public final class StoreRegistry implements AutoCloseable {

    private final Map<String, ArtifactStore> stores = new ConcurrentHashMap<>();

    public ArtifactStore get(String rootUri) {
        return stores.computeIfAbsent(rootUri, ArtifactStores::open);
    }

    /** A store through which {@code ref} can be read, whichever store wrote it. */
    public ArtifactStore containing(org.pformer.store.ArtifactRef ref) {
        return get(ArtifactStores.containingRoot(ref));
    }

    @Override
    public void close() {
        stores.values().forEach(ArtifactStore::close);
        stores.clear();
    }
}
