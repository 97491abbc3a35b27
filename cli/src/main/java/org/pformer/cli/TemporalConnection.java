package org.pformer.cli;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/** A client of the Temporal server, failing fast with advice when the server is not there. */
final class TemporalConnection implements AutoCloseable {

    final WorkflowServiceStubs service;
    final WorkflowClient client;

    TemporalConnection(ServiceEnv env) {
        service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(env.temporalAddress())
                .setRpcTimeout(Duration.ofSeconds(20))
                .build());
        try {
            service.blockingStub().withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            service.shutdownNow();
            throw new UserError(ExitCodes.SERVICE_UNAVAILABLE, "cannot reach the Temporal server at " + env.temporalAddress()
                    + " (" + e.getStatus().getCode() + "): start the local services with `pformer services up` (or `make "
                    + "services-up`), or point PFORMER_TEMPORAL_ADDRESS at your server");
        }
        client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace(env.namespace()).build());
    }

    @Override
    public void close() {
        service.shutdown();
        service.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
