package org.pformer.activities.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import org.pformer.store.ArtifactRef;

/**
 * A stage activity's heartbeat details: how far it is and the last checkpoint it has uploaded. The checkpoint is
 * uploaded first and only then heartbeated, so a retried attempt that reads these details always finds it.
 *
 * @param step       steps done
 * @param totalSteps steps planned (0 if unknown)
 * @param checkpoint the last uploaded checkpoint, or null
 * @param latest     the latest step metrics (losses, lr, throughput)
 * @param startedAt  when this attempt started (epoch ms), for ETA
 * @param startStep  the step this attempt started from, for ETA
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageProgress(long step, long totalSteps, ArtifactRef checkpoint, Map<String, Double> latest,
                            long startedAt, long startStep) {

    public StageProgress {
        latest = latest == null ? Map.of() : Map.copyOf(latest);
    }

    /** Estimated milliseconds left from the rate of this attempt, or -1 when unknown. */
    public long etaMillis(long now) {
        long done = step - startStep;
        if (totalSteps <= 0 || done <= 0 || now <= startedAt) {
            return -1;
        }
        return (long) ((double) (now - startedAt) / done * Math.max(0, totalSteps - step));
    }
}
