package org.pformer.cli;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.pformer.activities.PipelineActivitiesImpl;
import org.pformer.activities.StageActivityImplementations;
import org.pformer.activities.StoreRegistry;
import org.pformer.activities.api.TaskQueues;
import org.pformer.activities.tracking.S3ArtifactSink;
import org.pformer.activities.tracking.SpoolingTracker;
import org.pformer.workflows.AblationWorkflowImpl;
import org.pformer.workflows.PipelineWorkflowImpl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Run a worker: workflows and light activities on 'pipeline', ingestion on 'cpu', training and "
                + "generation on 'gpu' (one activity slot per GPU). Stop it with Ctrl-C: running stages are retried "
                + "elsewhere from their last checkpoint."})
final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--queues", split = ",", defaultValue = "pipeline,cpu,gpu",
            description = "queues to serve (default: ${DEFAULT-VALUE})")
    List<String> queues;

    @Option(names = "--gpu-slots", defaultValue = "1", description = "concurrent training/generation activities (GPUs; default 1)")
    int gpuSlots;

    @Option(names = "--cpu-slots", defaultValue = "1", description = "concurrent ingestion activities (default 1)")
    int cpuSlots;

    @Option(names = "--queue-prefix", defaultValue = "", description = "prefix of the task queue names")
    String queuePrefix;

    @Override
    public Integer call() throws Exception {
        for (String q : queues) {
            if (!List.of("pipeline", "cpu", "gpu").contains(q)) {
                throw new UserError(ExitCodes.BAD_INPUT, "unknown queue '" + q + "'; expected pipeline, cpu or gpu");
            }
        }
        ServiceEnv env = ServiceEnv.fromEnvironment();
        TemporalConnection t = new TemporalConnection(env);
        StoreRegistry stores = new StoreRegistry();
        SpoolingTracker tracker = new SpoolingTracker(env.mlflowUri(), env.state().resolve("tracking-spool"),
                S3ArtifactSink.fromEnvironment());
        StageActivityImplementations stages = new StageActivityImplementations(stores, tracker, env.state().resolve("work"));
        TaskQueues names = TaskQueues.withPrefix(queuePrefix);
        WorkerFactory factory = WorkerFactory.newInstance(t.client);
        if (queues.contains("pipeline")) {
            Worker w = factory.newWorker(names.pipeline());
            w.registerWorkflowImplementationTypes(PipelineWorkflowImpl.class, AblationWorkflowImpl.class);
            w.registerActivitiesImplementations(new PipelineActivitiesImpl(stores, tracker));
        }
        if (queues.contains("cpu")) {
            Worker w = factory.newWorker(names.cpu(), WorkerOptions.newBuilder()
                    .setMaxConcurrentActivityExecutionSize(cpuSlots).build());
            w.registerActivitiesImplementations(stages.cpu().toArray());
        }
        if (queues.contains("gpu")) {
            Worker w = factory.newWorker(names.gpu(), WorkerOptions.newBuilder()
                    .setMaxConcurrentActivityExecutionSize(gpuSlots).build());
            w.registerActivitiesImplementations(stages.gpu().toArray());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            factory.shutdown();
            factory.awaitTermination(30, TimeUnit.SECONDS);
            tracker.close();
            stores.close();
            t.close();
            stopped.countDown();
        }, "worker-shutdown"));
        factory.start();
        System.out.println("worker polling " + queues + " (prefix '" + queuePrefix + "') on " + env.temporalAddress()
                + ", namespace " + env.namespace() + "; MLflow " + env.mlflowUri());
        stopped.await();
        return ExitCodes.OK;
    }
}
