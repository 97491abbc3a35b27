package org.pformer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "pause", mixinStandardHelpOptions = true,
        description = "Pause a run: the running stage stops at its next heartbeat with a checkpoint; `resume` continues it.")
final class PauseCommand implements Callable<Integer> {

    @Parameters(description = "run (workflow) id")
    String run;

    @Override
    public Integer call() {
        ServiceEnv env = ServiceEnv.fromEnvironment();
        try (TemporalConnection t = new TemporalConnection(env)) {
            requireRunning(t, env, run);
            t.client.newUntypedWorkflowStub(run).signal("pause");
            System.out.println("pausing " + run + ": the running stage checkpoints and stops; `pformer resume " + run + "` continues");
            return ExitCodes.OK;
        }
    }

    static void requireRunning(TemporalConnection t, ServiceEnv env, String run) {
        var d = Runs.describe(t, env, run);
        if (!"PipelineWorkflow".equals(Runs.type(d))) {
            throw new UserError(ExitCodes.BAD_INPUT, run + " is a " + Runs.type(d) + "; pause and resume act on pipelines");
        }
        if (Runs.status(d) != io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
            throw new UserError(ExitCodes.BAD_INPUT, run + " is " + Runs.statusName(Runs.status(d)) + ", not running");
        }
    }
}
