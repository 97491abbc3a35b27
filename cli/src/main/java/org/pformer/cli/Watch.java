package org.pformer.cli;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowStub;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.pformer.workflows.AblationResult;
import org.pformer.workflows.PipelineResult;
import org.pformer.workflows.PipelineStatus;

/** Follows a run until it closes, printing its progress (redrawn in a terminal, on change otherwise). */
final class Watch {

    private Watch() {}

    /** Prints one snapshot of a run (and, for a grid, of each of its pipelines). */
    static String snapshot(TemporalConnection t, ServiceEnv env, String runId) {
        DescribeWorkflowExecutionResponse d = Runs.describe(t, env, runId);
        String state = Runs.statusName(Runs.status(d));
        if ("AblationWorkflow".equals(Runs.type(d))) {
            StringBuilder sb = new StringBuilder(runId + "  " + state + "  (ablation grid)\n");
            List<String> children = queryChildren(t, runId, Runs.status(d));
            for (String child : children) {
                sb.append(indent(pipelineSnapshot(t, env, child)));
            }
            return sb.toString();
        }
        return pipelineSnapshot(t, env, runId);
    }

    private static List<String> queryChildren(TemporalConnection t, String runId, WorkflowExecutionStatus status) {
        try {
            @SuppressWarnings("unchecked")
            List<String> children = t.client.newUntypedWorkflowStub(runId).query("children", List.class);
            return children;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static String pipelineSnapshot(TemporalConnection t, ServiceEnv env, String runId) {
        DescribeWorkflowExecutionResponse d = Runs.describe(t, env, runId);
        PipelineStatus status;
        try {
            status = t.client.newUntypedWorkflowStub(runId).query("status", PipelineStatus.class);
        } catch (RuntimeException e) {
            status = null; // no worker polls the pipeline queue right now
        }
        return Progress.render(runId, Runs.statusName(Runs.status(d)), status, Runs.progress(d), Runs.retrying(d),
                System.currentTimeMillis());
    }

    private static String indent(String s) {
        return s.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
    }

    /** Follows until the run closes; returns its final status. */
    static WorkflowExecutionStatus follow(TemporalConnection t, ServiceEnv env, String runId, PrintStream out)
            throws InterruptedException {
        boolean terminal = System.console() != null;
        String last = "";
        while (true) {
            String snap = snapshot(t, env, runId);
            if (!snap.equals(last)) {
                if (terminal) {
                    out.print("\033[H\033[2J");
                }
                out.print(snap);
                out.flush();
                last = snap;
            }
            WorkflowExecutionStatus s = Runs.status(Runs.describe(t, env, runId));
            if (s != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                return s;
            }
            Thread.sleep(terminal ? 1000 : 5000);
        }
    }

    /** Prints the result of a closed run: its metrics, or why it did not complete. Returns the exit code. */
    static int report(TemporalConnection t, ServiceEnv env, String runId, WorkflowExecutionStatus status, PrintStream out) {
        WorkflowStub stub = t.client.newUntypedWorkflowStub(runId);
        if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
            String why;
            try {
                stub.getResult(Object.class);
                why = "";
            } catch (RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                why = ": " + root.getMessage();
            }
            out.println(runId + " " + Runs.statusName(status) + why);
            out.println("resume it with `pformer resume " + runId + "` (finished stages are reused, the interrupted one "
                    + "continues from its last checkpoint)");
            return ExitCodes.PIPELINE_FAILED;
        }
        if ("AblationWorkflow".equals(Runs.type(Runs.describe(t, env, runId)))) {
            AblationResult r = stub.getResult(AblationResult.class);
            out.print(Tables.grid(r.rows()));
        } else {
            PipelineResult r = stub.getResult(PipelineResult.class);
            out.print(Tables.grid(List.of(r)));
        }
        out.println("MLflow: " + env.mlflowUri());
        return ExitCodes.OK;
    }

    static Map<String, String> links(ServiceEnv env, String runId) {
        return Map.of("Temporal UI", env.workflowLink(runId), "MLflow UI", env.mlflowUri());
    }
}
