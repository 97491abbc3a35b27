package org.pformer.activities.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.pformer.store.ArtifactRef;
import org.pformer.store.S3ArtifactStore;

/** The tracker against the real local MLflow server (SQLite backend, S3 artifact root on the local s3proxy). */
class SpoolingTrackerIT {

    @TempDir
    Path spoolRoot;

    private String trackingUri;
    private MlflowClient mlflow;
    private S3ArtifactSink sink;
    private String experiment;

    static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail("environment variable " + name + " is not set: start the services with `make services-up` and run the "
                    + "tests through `make test` (it exports infra/local/env.sh)");
        }
        return value;
    }

    @BeforeEach
    void connect() {
        trackingUri = requireEnv("PFORMER_MLFLOW_TRACKING_URI");
        requireEnv("PFORMER_S3_ENDPOINT");
        mlflow = new MlflowClient(trackingUri);
        sink = S3ArtifactSink.fromEnvironment();
        experiment = "it-tracker-" + UUID.randomUUID();
    }

    @AfterEach
    void disconnect() {
        sink.close();
        mlflow.close();
    }

    private Service.Run findRun(String key) {
        String expId = mlflow.getExperimentByName(experiment).orElseThrow().getExperimentId();
        List<Service.RunInfo> runs = mlflow.searchRuns(List.of(expId), "tags.`pformer.run_key` = '" + key + "'");
        assertThat(runs).as("runs with key %s", key).hasSize(1);
        return mlflow.getRun(runs.get(0).getRunId());
    }

    private List<Long> steps(String runId, String key) {
        return mlflow.getMetricHistory(runId, key).stream().map(Service.Metric::getStep).sorted().toList();
    }

    private static void points(ExperimentTracker t, RunKey run, int from, int to) {
        for (int step = from; step <= to; step++) {
            t.logMetrics(run, List.of(new MetricPoint("loss", 10.0 / step, step, 1_700_000_000_000L + step),
                    new MetricPoint("lr", 1e-4, step, 1_700_000_000_000L + step)));
        }
    }

    @Test
    void parentAndChildRunsWithParamsMetricsTagsAndAnArtifact() {
        RunKey parent = new RunKey(experiment, "wf-1", "pipeline", null, Map.of("omega1", "10.0", "omega2", "100.0"));
        RunKey child = parent.child("wf-1/stage1", "stage1", Map.of("stage", "stage1"));
        String bucket = requireEnv("PFORMER_S3_BUCKET");
        ArtifactRef report;
        try (S3ArtifactStore store = new S3ArtifactStore("s3://" + bucket + "/it/" + UUID.randomUUID(),
                S3ArtifactStore.Settings.fromEnvironment())) {
            report = store.put("report.json", "{\"itc\": 1.5}".getBytes(StandardCharsets.UTF_8));
        }
        try (SpoolingTracker t = new SpoolingTracker(trackingUri, spoolRoot, sink)) {
            t.startRun(parent);
            t.startRun(child);
            t.logParams(child, Map.of("omega1", "10.0", "batch_size", "32"));
            points(t, child, 1, 20);
            t.setTags(child, Map.of("pformer.stage_key", "abc123"));
            t.logArtifact(child, "reports/report.json", report);
            t.endRun(child, "FINISHED");
            assertThat(t.drain(Duration.ofSeconds(60))).as("drained").isTrue();
        }
        Service.Run p = findRun("wf-1");
        Service.Run c = findRun("wf-1/stage1");
        assertThat(c.getData().getTagsList()).anyMatch(tag -> tag.getKey().equals("mlflow.parentRunId")
                && tag.getValue().equals(p.getInfo().getRunId()));
        assertThat(c.getData().getTagsList()).anyMatch(tag -> tag.getKey().equals("pformer.stage_key") && tag.getValue().equals("abc123"));
        assertThat(c.getData().getParamsList()).anyMatch(x -> x.getKey().equals("omega1") && x.getValue().equals("10.0"));
        assertThat(steps(c.getInfo().getRunId(), "loss")).hasSize(20).startsWith(1L).endsWith(20L);
        assertThat(c.getInfo().getStatus()).isEqualTo(Service.RunStatus.FINISHED);

        String artifactUri = c.getInfo().getArtifactUri();
        assertThat(artifactUri).startsWith("s3://");
        String[] target = S3ArtifactStore.parseUri(artifactUri + "/reports/report.json");
        try (S3ArtifactStore raw = new S3ArtifactStore("s3://" + target[0], S3ArtifactStore.Settings.fromEnvironment())) {
            assertThat(raw.client().getObjectAsString(target[0], target[1])).isEqualTo("{\"itc\": 1.5}");
        }
    }

    @Test
    void metricsLoggedStepAfterStepReachTheServerInAFewRequests() {
        RunKey run = new RunKey(experiment, "wf-batch/stage2", "stage2", null, Map.of());
        try (SpoolingTracker t = new SpoolingTracker(trackingUri, spoolRoot, sink)) {
            t.startRun(run);
            // a fast stage: a logged step every 20 ms for two seconds
            for (int step = 1; step <= 100; step++) {
                points(t, run, step, step);
                sleep(20);
            }
            assertThat(t.drain(Duration.ofSeconds(60))).isTrue();
            // one request per flush round (about a second each), never one per logged step
            assertThat(t.metricRequests()).isBetween(1L, 6L);
        }
        assertThat(steps(findRun("wf-batch/stage2").getInfo().getRunId(), "loss")).hasSize(100);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aResumedStageThatLogsAgainAddsNoDuplicates() {
        RunKey run = new RunKey(experiment, "wf-2/pformer", "pformer", null, Map.of());
        try (SpoolingTracker first = new SpoolingTracker(trackingUri, spoolRoot, sink)) {
            first.startRun(run);
            points(first, run, 1, 10);
            assertThat(first.drain(Duration.ofSeconds(60))).isTrue();
        }
        // a new worker resumes from the checkpoint at step 6 and logs steps 7.. again, then goes on to 15
        try (SpoolingTracker second = new SpoolingTracker(trackingUri, spoolRoot, sink)) {
            second.startRun(run);
            points(second, run, 7, 15);
            assertThat(second.drain(Duration.ofSeconds(60))).isTrue();
        }
        String runId = findRun("wf-2/pformer").getInfo().getRunId();
        assertThat(steps(runId, "loss")).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 15).boxed().toList());
        assertThat(steps(runId, "lr")).hasSize(15);
    }

    @Test
    void nothingIsLostOrDuplicatedWhileTheServerIsDownAndAKilledWorkersSpoolIsAdopted() throws Exception {
        RunKey run = new RunKey(experiment, "wf-3/stage2", "stage2", null, Map.of());
        SpoolingTracker first = new SpoolingTracker(trackingUri, spoolRoot, sink);
        first.startRun(run);
        points(first, run, 1, 5);
        assertThat(first.drain(Duration.ofSeconds(60))).isTrue();

        services("down", "mlflow");
        try {
            points(first, run, 6, 30); // returns at once although the server is down
            assertThat(first.drain(Duration.ofSeconds(2))).isFalse();
            first.abandon(); // the worker dies with 25 steps spooled

            SpoolingTracker second = new SpoolingTracker(trackingUri, spoolRoot, sink);
            try {
                points(second, run, 31, 40);
                services("up", "mlflow");
                assertThat(second.drain(Duration.ofSeconds(120))).as("drained after the server came back").isTrue();
            } finally {
                second.close();
            }
        } finally {
            services("up", "mlflow");
        }
        String runId = findRun("wf-3/stage2").getInfo().getRunId();
        assertThat(steps(runId, "loss")).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList());
    }

    private static void services(String verb, String service) throws Exception {
        Path repo = Path.of(System.getProperty("pformer.repo.root", "..")).toAbsolutePath().normalize();
        Process p = new ProcessBuilder("bash", repo.resolve("infra/local/services.sh").toString(), verb, service)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("infra/local/services.sh " + verb + " " + service + " failed");
        }
    }
}
