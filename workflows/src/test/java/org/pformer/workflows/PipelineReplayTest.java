package org.pformer.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Workflows started by earlier code must still replay on the current code (a worker upgraded under a running
 * pipeline picks its history up): every history recorded by {@link ReplayHistoryRecorder} replays without
 * non-determinism.
 */
class PipelineReplayTest {

    static List<Path> histories() throws IOException, URISyntaxException {
        Path dir = Path.of(PipelineReplayTest.class.getResource("/replay").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void historiesOfEveryRecordedCodeVersionArePresent() throws Exception {
        assertThat(histories()).extracting(f -> f.getFileName().toString())
                .contains("pipeline-v0-fresh.json", "pipeline-v0-cached.json", "pipeline-v0-failed.json",
                        "pipeline-v0-paused.json", "pipeline-v1-fresh.json", "pipeline-v1-cached.json",
                        "pipeline-v1-failed.json", "pipeline-v1-paused.json", "pipeline-v2-fresh.json",
                        "pipeline-v2-cached.json", "pipeline-v2-failed.json", "pipeline-v2-paused.json");
    }

    @ParameterizedTest
    @MethodSource("histories")
    void replaysOnTheCurrentCode(Path history) throws Exception {
        try (TestWorkflowEnvironment env = TestPipelines.environment()) {
            WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(Files.readString(history)),
                    env, PipelineWorkflowImpl.class);
        }
    }
}
