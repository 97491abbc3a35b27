package org.pformer.activities.stages;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;
import org.pformer.activities.Heartbeat;
import org.pformer.activities.StoreRegistry;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.tracking.ExperimentTracker;
import org.pformer.store.ArtifactStore;

/**
 * What every stage activity of a worker shares: the artifact stores, the experiment tracker, the local work root
 * (work directories and a cache of downloaded upstream artifacts) and where heartbeats go.
 *
 * @param stores    one open store per root URI
 * @param tracker   MLflow (spooled)
 * @param workRoot  local scratch space of this worker; a stage's directory there survives a worker crash, so a
 *                  restarted worker on the same machine also finds partial non-checkpointed work (ingestion)
 * @param heartbeat the heartbeat of the calling activity ({@link Heartbeat#temporal()} in a worker)
 */
public record StageEnvironment(StoreRegistry stores, ExperimentTracker tracker, Path workRoot,
                               Supplier<Heartbeat> heartbeat) {

    public StageEnvironment {
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(workRoot, "workRoot");
        Objects.requireNonNull(heartbeat, "heartbeat");
    }

    /** A worker's environment: heartbeats go to the Temporal activity context of the calling thread. */
    public static StageEnvironment temporal(StoreRegistry stores, ExperimentTracker tracker, Path workRoot) {
        return new StageEnvironment(stores, tracker, workRoot, Heartbeat::temporal);
    }

    /** The store of a request's pipeline. */
    public ArtifactStore store(StageRequest request) {
        return stores.get(request.config().store().uri());
    }

    /** Local copies of the upstream artifacts of a request's pipeline. */
    public LocalArtifacts artifacts(StageRequest request) {
        return new LocalArtifacts(stores, store(request), workRoot.resolve("cache"));
    }

    /** The device of {@code runtime.device}: {@code gpu} is the first GPU, anything else the CPU. */
    public static Device device(StageRequest request) {
        return "gpu".equals(request.config().runtime().device()) ? Device.gpu() : Device.cpu();
    }
}
