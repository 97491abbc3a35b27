package org.pformer.cli;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.workflows.PipelineRequest;
import org.pformer.workflows.PipelineWorkflow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start a full pipeline run (ingestion, P-Former, stage 1, stage 2, evaluations) from a configuration.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "pipeline configuration (YAML), e.g. infra/config/world-default.yaml")
    Path config;

    @Option(names = "--wait", description = "follow the run's progress until it ends and print its metrics")
    boolean wait;

    @Option(names = "--id", description = "workflow id (default: <name>-<date>-<time>)")
    String id;

    @Option(names = "--queue-prefix", defaultValue = "", description = "prefix of the task queue names (default: none)")
    String queuePrefix;

    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Override
    public Integer call() throws Exception {
        PipelineConfig cfg = ConfigLoader.load(config);
        ServiceEnv env = ServiceEnv.fromEnvironment();
        try (TemporalConnection t = new TemporalConnection(env)) {
            String workflowId = id != null ? id : cfg.name() + "-" + LocalDateTime.now().format(STAMP);
            TaskQueues queues = TaskQueues.withPrefix(queuePrefix);
            PipelineWorkflow wf = t.client.newWorkflowStub(PipelineWorkflow.class, WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue(queues.pipeline())
                    .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                    .setTypedSearchAttributes(searchAttributes(cfg))
                    .build());
            WorkflowClient.start(wf::run, new PipelineRequest(cfg, config.toAbsolutePath().toString(), null, env.gitCommit(), queues));
            System.out.println("started pipeline " + workflowId);
            Watch.links(env, workflowId).forEach((k, v) -> System.out.println("  " + k + ": " + v));
            if (!wait) {
                System.out.println("follow it with `pformer status " + workflowId + " --watch`");
                return ExitCodes.OK;
            }
            WorkflowExecutionStatus end = Watch.follow(t, env, workflowId, System.out);
            return Watch.report(t, env, workflowId, end, System.out);
        }
    }

    static SearchAttributes searchAttributes(PipelineConfig cfg) {
        return SearchAttributes.newBuilder()
                .set(org.pformer.workflows.SearchAttributes.CONFIG_HASH, cfg.configHash())
                .set(org.pformer.workflows.SearchAttributes.OMEGA1, cfg.stage1().omega1())
                .set(org.pformer.workflows.SearchAttributes.OMEGA2, cfg.stage2().omega2())
                .set(org.pformer.workflows.SearchAttributes.RUN_NAME, cfg.name())
                .build();
    }
}
