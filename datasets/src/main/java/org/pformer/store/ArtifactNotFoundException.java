package org.pformer.store;

/** No committed artifact (object plus manifest) exists under the key or URI. */
public final class ArtifactNotFoundException extends StoreException {

    public ArtifactNotFoundException(String message) {
        super(message);
    }
}
