package org.pformer.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.common.converter.DataConverter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.pformer.activities.api.StageProgress;
import org.pformer.config.StageName;

/** Reading a run's state from the server: its status, type, and the heartbeat details of its running stages. */
final class Runs {

    private static final Map<String, StageName> ACTIVITY_STAGES = Map.of(
            "BuildFoundation", StageName.FOUNDATION,
            "IngestSentences", StageName.INGEST,
            "PretrainPFormer", StageName.PFORMER,
            "TrainStage1", StageName.STAGE1,
            "TrainStage2", StageName.STAGE2,
            "EvaluateVqa", StageName.EVAL_VQA,
            "EvaluateCaptioning", StageName.EVAL_CAPTION,
            "EvaluateRetrieval", StageName.EVAL_RETRIEVAL);

    private Runs() {}

    /** The stage an activity type runs, if it is a stage's activity. */
    static Optional<StageName> stageOf(String activityType) {
        return Optional.ofNullable(ACTIVITY_STAGES.get(activityType));
    }

    /** The activity type that runs {@code stage} (its {@code @ActivityMethod} name in StageActivities). */
    static String activityType(StageName stage) {
        return ACTIVITY_STAGES.entrySet().stream().filter(e -> e.getValue() == stage).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no activity runs stage " + stage));
    }

    static DescribeWorkflowExecutionResponse describe(TemporalConnection t, ServiceEnv env, String workflowId) {
        try {
            return t.service.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(env.namespace())
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                    .build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new UserError(ExitCodes.BAD_INPUT, "no run with id '" + workflowId + "' in namespace " + env.namespace()
                        + "; `pformer status` lists recent runs");
            }
            throw e;
        }
    }

    static WorkflowExecutionStatus status(DescribeWorkflowExecutionResponse d) {
        return d.getWorkflowExecutionInfo().getStatus();
    }

    static String type(DescribeWorkflowExecutionResponse d) {
        return d.getWorkflowExecutionInfo().getType().getName();
    }

    static String statusName(WorkflowExecutionStatus s) {
        return s.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
    }

    /** Progress of each running stage, from its activity's last heartbeat. */
    static Map<StageName, StageProgress> progress(DescribeWorkflowExecutionResponse d) {
        Map<StageName, StageProgress> out = new HashMap<>();
        for (PendingActivityInfo a : d.getPendingActivitiesList()) {
            StageName stage = ACTIVITY_STAGES.get(a.getActivityType().getName());
            if (stage != null && a.hasHeartbeatDetails()) {
                decode(a.getHeartbeatDetails()).ifPresent(p -> out.put(stage, p));
            }
        }
        return out;
    }

    /** Why each running stage last failed, if it is being retried. */
    static Map<StageName, String> retrying(DescribeWorkflowExecutionResponse d) {
        Map<StageName, String> out = new HashMap<>();
        for (PendingActivityInfo a : d.getPendingActivitiesList()) {
            StageName stage = ACTIVITY_STAGES.get(a.getActivityType().getName());
            if (stage != null && a.getAttempt() > 1 && a.hasLastFailure()) {
                out.put(stage, "attempt " + a.getAttempt() + ", last failure: " + a.getLastFailure().getMessage());
            }
        }
        return out;
    }

    private static Optional<StageProgress> decode(Payloads payloads) {
        try {
            return Optional.ofNullable(DataConverter.getDefaultInstance()
                    .fromPayloads(0, Optional.of(payloads), StageProgress.class, StageProgress.class));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
