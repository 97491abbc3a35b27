package org.pformer.infra;

import static java.util.stream.Collectors.toMap;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;

/**
 * The local MLflow tracking server (MLflow 3.x, SQLite backend, artifact root {@code s3://pformer-mlflow/artifacts}
 * on the local s3proxy, started by {@code make services-up}) through the Java client {@code org.mlflow:mlflow-client}
 * 2.17.2, which speaks REST API 2.0. Artifacts are written with the AWS SDK into the run's s3:// artifact location,
 * as the pipeline does, and the server must see them (it lists and serves them with boto3 for the UI).
 */
class MlflowServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String trackingUri;
    private static MlflowClient mlflow;
    private static AmazonS3 s3;
    private static String experimentId;
    private static final List<String[]> written = new ArrayList<>();

    @BeforeAll
    static void connect() {
        trackingUri = LocalServices.requireReachableUrl("the MLflow tracking server", LocalServices.env("PFORMER_MLFLOW_TRACKING_URI"));
        s3 = LocalServices.s3Client();
        mlflow = new MlflowClient(trackingUri);
        experimentId = mlflow.createExperiment("it-mlflow-server-" + UUID.randomUUID());
    }

    @AfterAll
    static void cleanUp() {
        if (mlflow != null && experimentId != null) {
            mlflow.deleteExperiment(experimentId); // MLflow keeps it, marked deleted: out of the UI's way
            mlflow.close();
        }
        if (s3 != null) {
            written.forEach(o -> s3.deleteObject(o[0], o[1]));
            s3.shutdown();
        }
    }

    private static RunInfo newRun(String name) {
        return mlflow.createRun(CreateRun.newBuilder().setExperimentId(experimentId).setRunName(name)
                .setStartTime(System.currentTimeMillis())
                .addTags(RunTag.newBuilder().setKey("pformer.workflow_id").setValue("it-" + name)).build());
    }

    private static Metric metric(String key, double value, long step) {
        return Metric.newBuilder().setKey(key).setValue(value).setStep(step).setTimestamp(1_700_000_000_000L + step).build();
    }

    @Test
    void aRunKeepsItsParamsTagsAndEveryMetricStep() {
        RunInfo info = newRun("stage1");
        String runId = info.getRunId();
        assertThat(info.getExperimentId()).isEqualTo(experimentId);
        assertThat(info.getStatus()).isEqualTo(RunStatus.RUNNING);

        mlflow.logParam(runId, "omega1", "10.0");
        mlflow.setTag(runId, "pformer.stage", "stage1");
        for (long step = 1; step <= 5; step++) {
            mlflow.logMetric(runId, "loss", 6.0 - step, 1_700_000_000_000L + step, step);
        }
        List<Metric> batch = new ArrayList<>();
        for (long step = 1; step <= 5; step++) {
            batch.add(metric("lr", 1e-4 * step, step));
            batch.add(metric("itc_loss", 1.0 / step, step));
        }
        mlflow.logBatch(runId, batch, List.of(Param.newBuilder().setKey("batch_size").setValue("32").build()),
                List.of(RunTag.newBuilder().setKey("pformer.config_hash").setValue("c0ffee").build()));
        long end = System.currentTimeMillis();
        mlflow.setTerminated(runId, RunStatus.FINISHED, end);

        Run run = mlflow.getRun(runId);
        assertThat(run.getInfo().getStatus()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.getInfo().getEndTime()).isEqualTo(end);
        assertThat(run.getData().getParamsList().stream().collect(toMap(Param::getKey, Param::getValue)))
                .containsEntry("omega1", "10.0").containsEntry("batch_size", "32");
        assertThat(run.getData().getTagsList().stream().collect(toMap(RunTag::getKey, RunTag::getValue)))
                .containsEntry("pformer.stage", "stage1").containsEntry("pformer.config_hash", "c0ffee")
                .containsEntry("pformer.workflow_id", "it-stage1").containsEntry("mlflow.runName", "stage1");
        Map<String, Metric> latest = run.getData().getMetricsList().stream().collect(toMap(Metric::getKey, m -> m));
        assertThat(latest.get("loss").getStep()).isEqualTo(5);
        assertThat(latest.get("loss").getValue()).isEqualTo(1.0);

        List<Metric> loss = mlflow.getMetricHistory(runId, "loss");
        assertThat(loss.stream().mapToLong(Metric::getStep).sorted().boxed().toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 5).boxed().toList());
        assertThat(loss).allSatisfy(m -> assertThat(m.getValue()).isEqualTo(6.0 - m.getStep()));
        assertThat(mlflow.getMetricHistory(runId, "itc_loss")).hasSize(5)
                .allSatisfy(m -> assertThat(m.getValue()).isEqualTo(1.0 / m.getStep()));

        assertThat(mlflow.searchRuns(List.of(experimentId), "params.omega1 = '10.0' and metrics.loss < 2"))
                .extracting(RunInfo::getRunId).containsExactly(runId);
    }

    @Test
    void artifactsWrittenWithTheS3SdkLandInTheMlflowBucketAndTheServerSeesThem() throws Exception {
        RunInfo info = newRun("eval");
        String artifactUri = info.getArtifactUri();
        assertThat(artifactUri).startsWith("s3://pformer-mlflow/").endsWith("/" + info.getRunId() + "/artifacts");

        String location = artifactUri.substring("s3://".length());
        String bucket = location.substring(0, location.indexOf('/'));
        String key = location.substring(bucket.length() + 1) + "/reports/metrics.json";
        String report = "{\"vqa_accuracy\": 0.42}";
        s3.putObject(bucket, key, report);
        written.add(new String[] {bucket, key});

        List<String> listed = s3.listObjectsV2(bucket, location.substring(bucket.length() + 1) + "/")
                .getObjectSummaries().stream().map(S3ObjectSummary::getKey).toList();
        assertThat(listed).containsExactly(key);

        // the server lists and serves the run's artifacts from S3 itself (boto3, MLFLOW_S3_ENDPOINT_URL): the UI works
        JsonNode files = JSON.readTree(mlflow.sendGet("artifacts/list?run_id=" + info.getRunId() + "&path=reports")).path("files");
        assertThat(files).hasSize(1);
        assertThat(files.get(0).path("path").asText()).isEqualTo("reports/metrics.json");
        assertThat(files.get(0).path("file_size").asLong()).isEqualTo(report.length());
        HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(trackingUri
                + "/get-artifact?run_uuid=" + info.getRunId() + "&path="
                + URLEncoder.encode("reports/metrics.json", StandardCharsets.UTF_8))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(report);

        mlflow.setTerminated(info.getRunId(), RunStatus.FINISHED);
        assertThat(mlflow.getRun(info.getRunId()).getInfo().getStatus()).isEqualTo(RunStatus.FINISHED);
    }
}
