package org.pformer.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Ingestion → P-Former pretraining → BLIP-2 stage 1 → stage 2 → VQA, captioning and retrieval evaluations in
 * parallel (with, on the shipped world, a foundation stage first). Finished stages are reused from the stage cache.
 */
@WorkflowInterface
public interface PipelineWorkflow {

    @WorkflowMethod
    PipelineResult run(PipelineRequest request);

    @QueryMethod
    PipelineStatus status();

    /** Stops the running stage at its next heartbeat (it writes a checkpoint) and starts nothing new until resumed. */
    @SignalMethod
    void pause();

    /** Continues a paused pipeline; the interrupted stage resumes from its checkpoint. */
    @SignalMethod
    void resume();
}
