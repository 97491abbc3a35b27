package org.pformer.cli;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.Callable;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.workflows.AblationRequest;
import org.pformer.workflows.AblationWorkflow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = {"Run an omega1 x omega2 grid (x seeds) as child pipelines sharing every upstream stage.",
                "Compare the results with `pformer compare --experiment <name>`."})
final class AblateCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "base pipeline configuration (YAML)")
    Path config;

    @Option(names = "--omega1", split = ",", defaultValue = "0,10", description = "stage-1 alignment weights (default: ${DEFAULT-VALUE})")
    List<Double> omega1;

    @Option(names = "--omega2", split = ",", defaultValue = "0,100", description = "stage-2 alignment weights (default: ${DEFAULT-VALUE})")
    List<Double> omega2;

    @Option(names = "--seeds", split = ",", description = "seeds to repeat the grid with (default: the configuration's seed)")
    List<Long> seeds;

    @Option(names = "--wait", description = "follow the grid until it ends and print the table")
    boolean wait;

    @Option(names = "--id", description = "workflow id (default: <name>-ablation-<date>-<time>)")
    String id;

    @Option(names = "--queue-prefix", defaultValue = "", description = "prefix of the task queue names")
    String queuePrefix;

    @Override
    public Integer call() throws Exception {
        PipelineConfig cfg = ConfigLoader.load(config);
        AblationRequest request;
        try {
            request = new AblationRequest(cfg, config.toAbsolutePath().toString(), omega1, omega2, seeds, null,
                    TaskQueues.withPrefix(queuePrefix));
        } catch (IllegalArgumentException e) {
            throw new UserError(ExitCodes.BAD_INPUT, e.getMessage());
        }
        ServiceEnv env = ServiceEnv.fromEnvironment();
        try (TemporalConnection t = new TemporalConnection(env)) {
            request = new AblationRequest(cfg, request.configSource(), omega1, omega2, seeds, env.gitCommit(), request.queues());
            String workflowId = id != null ? id : cfg.name() + "-ablation-" + LocalDateTime.now().format(RunCommand.STAMP);
            AblationWorkflow wf = t.client.newWorkflowStub(AblationWorkflow.class, WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue(request.queues().pipeline())
                    .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                    .setTypedSearchAttributes(io.temporal.common.SearchAttributes.newBuilder()
                            .set(org.pformer.workflows.SearchAttributes.CONFIG_HASH, cfg.configHash())
                            .set(org.pformer.workflows.SearchAttributes.RUN_NAME, cfg.name())
                            .build())
                    .build());
            WorkflowClient.start(wf::run, request);
            System.out.println("started ablation grid " + workflowId + ": omega1 " + omega1 + " x omega2 " + omega2
                    + " x seeds " + request.seeds());
            Watch.links(env, workflowId).forEach((k, v) -> System.out.println("  " + k + ": " + v));
            if (!wait) {
                System.out.println("follow it with `pformer status " + workflowId + " --watch`");
                return ExitCodes.OK;
            }
            WorkflowExecutionStatus end = Watch.follow(t, env, workflowId, System.out);
            return Watch.report(t, env, workflowId, end, System.out);
        }
    }
}
