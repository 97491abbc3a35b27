package org.pformer.activities.tracking;

import org.pformer.store.ArtifactRef;

/** Copies a stored, verified artifact to a run's artifact location (an s3:// URI chosen by the MLflow server). */
@FunctionalInterface
public interface ArtifactSink {
    void copy(ArtifactRef source, String destinationUri);
}
