package org.pformer.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.util.Durations;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real local Temporal dev server (SQLite persistence) started by infra/local/services.sh. */
class TemporalServerIT {

    @WorkflowInterface
    public interface GreetingWorkflow {
        @WorkflowMethod
        String greet(String name);

        @SignalMethod
        void proceed(String suffix);
    }

    @ActivityInterface
    public interface Greetings {
        String compose(String name, String suffix);
    }

    public static class GreetingWorkflowImpl implements GreetingWorkflow {
        private String suffix;
        private final Greetings greetings = Workflow.newActivityStub(Greetings.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

        @Override
        public String greet(String name) {
            if (name.startsWith("wait:")) {
                Workflow.await(() -> suffix != null);
                return greetings.compose(name.substring(5), suffix);
            }
            return greetings.compose(name, "!");
        }

        @Override
        public void proceed(String s) {
            suffix = s;
        }
    }

    public static class GreetingsImpl implements Greetings {
        @Override
        public String compose(String name, String suffix) {
            return "hello " + name + suffix;
        }
    }

    private WorkflowServiceStubs service;
    private WorkflowClient client;
    private WorkerFactory factory;
    private String queue;

    static String address() {
        String a = System.getenv("PFORMER_TEMPORAL_ADDRESS");
        if (a == null || a.isBlank()) {
            fail("PFORMER_TEMPORAL_ADDRESS is not set: start the services with `make services-up` and run the tests "
                    + "through `make test`");
        }
        return a;
    }

    @BeforeEach
    void connect() {
        service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
        client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
        queue = "it-" + UUID.randomUUID();
        factory = WorkerFactory.newInstance(client);
        var worker = factory.newWorker(queue);
        worker.registerWorkflowImplementationTypes(GreetingWorkflowImpl.class);
        worker.registerActivitiesImplementations(new GreetingsImpl());
        factory.start();
    }

    @AfterEach
    void disconnect() {
        factory.shutdownNow();
        factory.awaitTermination(10, TimeUnit.SECONDS);
        service.shutdownNow();
    }

    private GreetingWorkflow stub(String id) {
        return client.newWorkflowStub(GreetingWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(queue).build());
    }

    @Test
    void aWorkflowWithAnActivityRunsToCompletion() {
        assertThat(stub("it-greet-" + UUID.randomUUID()).greet("world")).isEqualTo("hello world!");
    }

    @Test
    void aStartedWorkflowSurvivesARestartOfTheServer() throws Exception {
        String id = "it-restart-" + UUID.randomUUID();
        WorkflowClient.start(stub(id)::greet, "wait:durable");

        services("restart", "temporal");

        WorkflowStub untyped = client.newUntypedWorkflowStub(id);
        assertThat(untyped.describe().getWorkflowExecutionInfo().getStatus())
                .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        untyped.signal("proceed", " (after restart)");
        assertThat(untyped.getResult(20, TimeUnit.SECONDS, String.class)).isEqualTo("hello durable (after restart)");
    }

    @Test
    void thePipelinesSearchAttributesAreRegisteredAndRetentionExceedsADay() {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
                OperatorServiceStubsOptions.newBuilder().setChannel(service.getRawChannel()).validateAndBuildWithDefaults());
        Map<String, IndexedValueType> attributes = operator.blockingStub()
                .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace("default").build())
                .getCustomAttributesMap();
        assertThat(attributes).containsEntry("PformerStage", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .containsEntry("PformerConfigHash", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .containsEntry("PformerOmega1", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE)
                .containsEntry("PformerOmega2", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE)
                .containsEntry("PformerRunName", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        var retention = service.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build())
                .getConfig().getWorkflowExecutionRetentionTtl();
        assertThat(Durations.toHours(retention)).isGreaterThan(24);
    }

    static void services(String verb, String which) throws Exception {
        Path repo = Path.of(System.getProperty("pformer.repo.root", "..")).toAbsolutePath().normalize();
        Process p = new ProcessBuilder("bash", repo.resolve("infra/local/services.sh").toString(), verb, which)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("infra/local/services.sh " + verb + " " + which + " failed");
        }
    }
}
