package org.pformer.activities.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The pipeline's stages, one activity each. Training and generation run on the {@code gpu} queue (one slot per
 * GPU), ingestion on {@code cpu}. Every training activity restores from the checkpoint in its heartbeat details (or
 * the latest one filed under its stage key), uploads each new checkpoint before heartbeating its reference, and
 * writes a checkpoint when cancelled.
 */
public final class StageActivities {

    private StageActivities() {}

    /** Shipped world only: generate the benchmark world and train its frozen backbones. */
    @ActivityInterface
    public interface FoundationActivities {
        @ActivityMethod(name = "BuildFoundation")
        StageResult buildFoundation(StageRequest request);
    }

    /** Pipeline stage 1: sentence ingestion. */
    @ActivityInterface
    public interface IngestActivities {
        @ActivityMethod(name = "IngestSentences")
        StageResult ingestSentences(StageRequest request);
    }

    /** P-Former pretraining (paper Eq. 4-5). */
    @ActivityInterface
    public interface PFormerActivities {
        @ActivityMethod(name = "PretrainPFormer")
        StageResult pretrainPFormer(StageRequest request);
    }

    /** BLIP-2 stage 1 + omega1 * L_align (paper Eq. 8). */
    @ActivityInterface
    public interface Stage1Activities {
        @ActivityMethod(name = "TrainStage1")
        StageResult trainStage1(StageRequest request);
    }

    /** BLIP-2 stage 2 + omega2 * L_align (paper Eq. 9). */
    @ActivityInterface
    public interface Stage2Activities {
        @ActivityMethod(name = "TrainStage2")
        StageResult trainStage2(StageRequest request);
    }

    /** Zero-shot evaluation. */
    @ActivityInterface
    public interface EvalActivities {
        @ActivityMethod(name = "EvaluateVqa")
        StageResult evaluateVqa(StageRequest request);

        @ActivityMethod(name = "EvaluateCaptioning")
        StageResult evaluateCaptioning(StageRequest request);

        @ActivityMethod(name = "EvaluateRetrieval")
        StageResult evaluateRetrieval(StageRequest request);
    }
}
