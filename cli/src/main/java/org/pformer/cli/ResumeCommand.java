package org.pformer.cli;

import io.temporal.api.common.v1.Payloads;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.DataConverter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.pformer.workflows.AblationRequest;
import org.pformer.workflows.AblationWorkflow;
import org.pformer.workflows.PipelineRequest;
import org.pformer.workflows.PipelineWorkflow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Resume a run: a paused one continues; a failed, cancelled or timed-out one starts again under the "
                + "same id with the same input, reusing every finished stage from the stage cache and continuing the "
                + "interrupted stage from its last checkpoint."})
final class ResumeCommand implements Callable<Integer> {

    @Parameters(description = "run (workflow) id")
    String run;

    @Option(names = "--wait", description = "follow the run until it ends")
    boolean wait;

    @Override
    public Integer call() throws Exception {
        ServiceEnv env = ServiceEnv.fromEnvironment();
        try (TemporalConnection t = new TemporalConnection(env)) {
            var d = Runs.describe(t, env, run);
            WorkflowExecutionStatus status = Runs.status(d);
            if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
                System.out.println(run + " already completed");
                return Watch.report(t, env, run, status, System.out);
            }
            if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                if (!"PipelineWorkflow".equals(Runs.type(d))) {
                    System.out.println(run + " is running");
                    return ExitCodes.OK;
                }
                t.client.newUntypedWorkflowStub(run).signal("resume");
                System.out.println("resumed " + run);
            } else {
                Payloads input = startInput(t, run);
                String type = Runs.type(d);
                String queue = d.getExecutionConfig().getTaskQueue().getName();
                WorkflowOptions options = WorkflowOptions.newBuilder()
                        .setWorkflowId(run)
                        .setTaskQueue(queue)
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                        .build();
                DataConverter dc = DataConverter.getDefaultInstance();
                if ("AblationWorkflow".equals(type)) {
                    AblationRequest request = dc.fromPayloads(0, Optional.of(input), AblationRequest.class, AblationRequest.class);
                    WorkflowClient.start(t.client.newWorkflowStub(AblationWorkflow.class, options)::run, request);
                } else {
                    PipelineRequest request = dc.fromPayloads(0, Optional.of(input), PipelineRequest.class, PipelineRequest.class);
                    WorkflowClient.start(t.client.newWorkflowStub(PipelineWorkflow.class, options
                            .toBuilder().setTypedSearchAttributes(RunCommand.searchAttributes(request.config())).build())::run,
                            request);
                }
                System.out.println("restarted " + run + " (was " + Runs.statusName(status) + "): finished stages come from the "
                        + "stage cache, the interrupted one continues from its last checkpoint");
            }
            if (!wait) {
                return ExitCodes.OK;
            }
            WorkflowExecutionStatus end = Watch.follow(t, env, run, System.out);
            return Watch.report(t, env, run, end, System.out);
        }
    }

    private static Payloads startInput(TemporalConnection t, String run) {
        for (HistoryEvent e : t.client.fetchHistory(run).getHistory().getEventsList()) {
            if (e.hasWorkflowExecutionStartedEventAttributes()) {
                return e.getWorkflowExecutionStartedEventAttributes().getInput();
            }
        }
        throw new UserError(ExitCodes.BAD_INPUT, "the history of " + run + " has no start event; cannot resume it");
    }
}
