package org.pformer.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;
import java.util.List;
import org.pformer.activities.api.TaskQueues;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;

/** Temporal's in-memory test server with the product's workflows and one set of test activities on every queue. */
final class TestPipelines {

    private TestPipelines() {}

    /** A small pipeline configuration plus {@code extra} YAML. */
    static PipelineConfig config(String extra) {
        return ConfigLoader.parse("name: wf-test\nstore: {uri: 'file:///tmp/pformer-wf-test'}\n"
                + "runtime: {heartbeat_timeout_seconds: 5}\n" + extra, "test.yaml", Path.of("/"), false);
    }

    /** An environment knowing the product's search attributes (as {@code pformer services up} registers them). */
    static TestWorkflowEnvironment environment() {
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
        for (String name : List.of("PformerStage", "PformerConfigHash", "PformerRunName")) {
            env.registerSearchAttribute(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        }
        for (String name : List.of("PformerOmega1", "PformerOmega2")) {
            env.registerSearchAttribute(name, IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE);
        }
        return env;
    }

    /** A started environment whose workers serve the pipeline, cpu and gpu queues of {@code queues}. */
    static TestWorkflowEnvironment start(TaskQueues queues, Object activities) {
        TestWorkflowEnvironment env = environment();
        for (String q : List.of(queues.pipeline(), queues.cpu(), queues.gpu())) {
            Worker w = env.newWorker(q);
            if (q.equals(queues.pipeline())) {
                w.registerWorkflowImplementationTypes(PipelineWorkflowImpl.class, AblationWorkflowImpl.class);
            }
            w.registerActivitiesImplementations(activities);
        }
        env.start();
        return env;
    }
}
