package org.pformer.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real local Temporal dev server (SQLite persistence) started by {@code infra/local/services.sh}: a test-only
 * workflow and activity run on an in-process worker against it.
 */
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

    /** Greets at once, or (for "wait:NAME") only after the signal supplied the suffix. */
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

    @BeforeEach
    void connect() {
        String address = LocalServices.env("PFORMER_TEMPORAL_ADDRESS");
        LocalServices.requireReachable("the Temporal server", address);
        service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder()
                .setNamespace(System.getenv().getOrDefault("PFORMER_TEMPORAL_NAMESPACE", "default")).build());
        queue = "it-" + UUID.randomUUID();
        factory = WorkerFactory.newInstance(client);
        var worker = factory.newWorker(queue);
        worker.registerWorkflowImplementationTypes(GreetingWorkflowImpl.class);
        worker.registerActivitiesImplementations(new GreetingsImpl());
        factory.start();
    }

    @AfterEach
    void disconnect() {
        if (factory != null) {
            factory.shutdownNow();
            factory.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (service != null) {
            service.shutdownNow();
        }
    }

    private GreetingWorkflow stub(String id) {
        return stub(WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(queue).build());
    }

    private GreetingWorkflow stub(WorkflowOptions options) {
        return client.newWorkflowStub(GreetingWorkflow.class, options);
    }

    @Test
    void aWorkflowWithAnActivityRunsToCompletion() {
        assertThat(stub("it-greet-" + UUID.randomUUID()).greet("world")).isEqualTo("hello world!");
    }

    @Test
    void aStartedWorkflowSurvivesARestartOfTheServer() throws Exception {
        String id = "it-restart-" + UUID.randomUUID();
        WorkflowClient.start(stub(id)::greet, "wait:durable");

        LocalServices.services("restart", "temporal");

        WorkflowStub untyped = client.newUntypedWorkflowStub(id);
        assertThat(untyped.describe().getWorkflowExecutionInfo().getStatus())
                .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        untyped.signal("proceed", " (after restart)");
        assertThat(untyped.getResult(60, TimeUnit.SECONDS, String.class)).isEqualTo("hello durable (after restart)");
        assertRetentionAboveADay(); // a restart on the same SQLite file keeps the namespace's settings
    }

    @Test
    void thePipelinesSearchAttributesAreRegisteredAndRetentionExceedsADay() {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
                OperatorServiceStubsOptions.newBuilder().setChannel(service.getRawChannel()).validateAndBuildWithDefaults());
        Map<String, IndexedValueType> attributes = operator.blockingStub()
                .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(client.getOptions().getNamespace()).build())
                .getCustomAttributesMap();
        assertThat(attributes).containsEntry("PformerStage", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .containsEntry("PformerConfigHash", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .containsEntry("PformerOmega1", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE)
                .containsEntry("PformerOmega2", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE)
                .containsEntry("PformerRunName", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        assertRetentionAboveADay();
    }

    @Test
    void aWorkflowIsFoundByThePipelinesSearchAttributes() throws InterruptedException {
        String runName = "it-" + UUID.randomUUID();
        String id = "it-search-" + UUID.randomUUID();
        stub(WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(queue)
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(org.pformer.workflows.SearchAttributes.RUN_NAME, runName)
                        .set(org.pformer.workflows.SearchAttributes.STAGE, "stage1")
                        .set(org.pformer.workflows.SearchAttributes.OMEGA1, 10.0)
                        .set(org.pformer.workflows.SearchAttributes.OMEGA2, 100.0).build())
                .build()).greet("search");

        String query = "PformerRunName = '" + runName + "' AND PformerStage = 'stage1' AND PformerOmega1 = 10.0";
        List<WorkflowExecutionMetadata> found = List.of();
        for (int attempt = 0; attempt < 50 && found.isEmpty(); attempt++) { // visibility is eventually consistent
            found = client.listExecutions(query).toList();
            if (found.isEmpty()) {
                Thread.sleep(200);
            }
        }
        assertThat(found).extracting(m -> m.getExecution().getWorkflowId()).containsExactly(id);
        assertThat(found.get(0).getTypedSearchAttributes().get(org.pformer.workflows.SearchAttributes.OMEGA2)).isEqualTo(100.0);
    }

    private void assertRetentionAboveADay() {
        var retention = service.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace()).build()).getConfig().getWorkflowExecutionRetentionTtl();
        assertThat(Durations.toHours(retention)).as("retention of namespace %s in hours", client.getOptions().getNamespace())
                .isGreaterThan(24);
    }
}
