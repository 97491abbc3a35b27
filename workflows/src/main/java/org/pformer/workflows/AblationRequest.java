package org.pformer.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.PipelineConfig;

/**
 * An omega1 × omega2 grid (× seeds) over one base configuration (paper Table 5; default {0, 10} × {0, 100}).
 *
 * @param seeds seeds to repeat the grid with; empty means the configuration's own seed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AblationRequest(PipelineConfig config, String configSource, List<Double> omega1, List<Double> omega2,
                              List<Long> seeds, String gitCommit, TaskQueues queues) {

    public AblationRequest {
        if (omega1 == null || omega1.isEmpty() || omega2 == null || omega2.isEmpty()) {
            throw new IllegalArgumentException("an ablation needs at least one omega1 and one omega2 value");
        }
        for (double w : omega1) {
            if (!(w >= 0)) {
                throw new IllegalArgumentException("omega1 values must be numbers >= 0, got " + w);
            }
        }
        for (double w : omega2) {
            if (!(w >= 0)) {
                throw new IllegalArgumentException("omega2 values must be numbers >= 0, got " + w);
            }
        }
        omega1 = List.copyOf(omega1);
        omega2 = List.copyOf(omega2);
        seeds = seeds == null || seeds.isEmpty() ? List.of(config.seed()) : List.copyOf(seeds);
        queues = queues == null ? TaskQueues.defaults() : queues;
        gitCommit = gitCommit == null ? "unknown" : gitCommit;
    }
}
