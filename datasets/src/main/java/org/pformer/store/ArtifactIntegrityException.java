package org.pformer.store;

/**
 * Stored bytes do not match their manifest (corruption, truncation, a concurrent overwrite). Never retried
 * silently: the caller either re-creates the artifact or fails with this message.
 */
public final class ArtifactIntegrityException extends StoreException {

    public ArtifactIntegrityException(String message) {
        super(message);
    }
}
