package org.pformer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a run: the running stage writes a checkpoint and stops; the run can be resumed later.")
final class CancelCommand implements Callable<Integer> {

    @Parameters(description = "run (workflow) id")
    String run;

    @Override
    public Integer call() {
        ServiceEnv env = ServiceEnv.fromEnvironment();
        try (TemporalConnection t = new TemporalConnection(env)) {
            var d = Runs.describe(t, env, run);
            if (Runs.status(d) != io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                throw new UserError(ExitCodes.BAD_INPUT, run + " is already " + Runs.statusName(Runs.status(d)));
            }
            t.client.newUntypedWorkflowStub(run).cancel();
            System.out.println("cancel requested for " + run + "; `pformer resume " + run + "` restarts it from its checkpoints");
            return ExitCodes.OK;
        }
    }
}
