package org.pformer.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * The omega1 × omega2 grid as child pipelines that share every upstream stage through the stage cache: the
 * foundation, ingestion and P-Former once per seed, stage 1 once per (seed, omega1).
 */
@WorkflowInterface
public interface AblationWorkflow {

    @WorkflowMethod
    AblationResult run(AblationRequest request);

    /** Workflow ids of the child pipelines started so far. */
    @QueryMethod
    List<String> children();
}
