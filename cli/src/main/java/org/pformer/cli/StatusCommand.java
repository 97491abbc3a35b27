package org.pformer.cli;

import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show a run's stages with progress bars (step/total, latest losses, ETA), or list recent runs."})
final class StatusCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", description = "run (workflow) id; omit to list recent runs")
    String run;

    @Option(names = "--watch", description = "keep refreshing until the run ends")
    boolean watch;

    @Option(names = "--limit", defaultValue = "20", description = "runs to list (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        ServiceEnv env = ServiceEnv.fromEnvironment();
        try (TemporalConnection t = new TemporalConnection(env)) {
            if (run == null) {
                System.out.print(list(t, env, limit));
                return ExitCodes.OK;
            }
            if (watch) {
                var end = Watch.follow(t, env, run, System.out);
                return Watch.report(t, env, run, end, System.out);
            }
            System.out.print(Watch.snapshot(t, env, run));
            return ExitCodes.OK;
        }
    }

    static String list(TemporalConnection t, ServiceEnv env, int limit) {
        ListWorkflowExecutionsResponse page = t.service.blockingStub().listWorkflowExecutions(
                ListWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(env.namespace())
                        .setPageSize(limit)
                        .setQuery("WorkflowType = 'PipelineWorkflow' OR WorkflowType = 'AblationWorkflow'")
                        .build());
        TextTable table = new TextTable(List.of("run", "type", "status", "started"));
        for (WorkflowExecutionInfo info : page.getExecutionsList()) {
            table.row(List.of(info.getExecution().getWorkflowId(),
                    info.getType().getName().replace("Workflow", "").toLowerCase(java.util.Locale.ROOT),
                    Runs.statusName(info.getStatus()),
                    Instant.ofEpochSecond(info.getStartTime().getSeconds()).toString()));
        }
        return table.isEmpty() ? "no runs yet: start one with `pformer run --config <file>`\n" : table.render();
    }
}
