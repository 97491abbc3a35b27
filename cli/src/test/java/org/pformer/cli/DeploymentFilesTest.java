package org.pformer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The cluster deployment files parse, are well-formed manifests, and run commands the real CLI accepts. */
class DeploymentFilesTest {

    static final Path DEPLOY = MainTest.REPO.resolve("infra/deploy");

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> s = Files.walk(DEPLOY)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyYamlFileParsesAndEveryManifestNamesItsKindAndNamespace() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        for (Path f : files) {
            List<JsonNode> docs = documents(f);
            assertThat(docs).as("%s has content", f).isNotEmpty();
            if (f.endsWith("values.yaml")) {
                continue; // Helm values, not a manifest: see temporalValuesUseTheChartsDatastoreLayoutWithPostgres
            }
            for (JsonNode d : docs) {
                assertThat(d.path("apiVersion").asText()).as("%s apiVersion", f).isNotEmpty();
                assertThat(d.path("kind").asText()).as("%s kind", f).isNotEmpty();
                if (!d.path("kind").asText().equals("Kustomization")) {
                    assertThat(d.at("/metadata/name").asText()).as("%s metadata.name", f).isNotEmpty();
                }
                if (!List.of("Namespace", "Kustomization").contains(d.path("kind").asText())) {
                    assertThat(d.at("/metadata/namespace").asText()).as("%s namespace", f).isEqualTo("pformer");
                }
            }
        }
    }

    @Test
    void temporalValuesUseTheChartsDatastoreLayoutWithPostgres() throws IOException {
        JsonNode values = documents(DEPLOY.resolve("temporal/values.yaml")).get(0);
        JsonNode persistence = values.at("/server/config/persistence");
        // chart 1.x fails on the pre-1.0 layout (server.config.persistence.default/visibility, sub-chart switches)
        assertThat(persistence.has("default")).isFalse();
        assertThat(persistence.has("visibility")).isFalse();
        assertThat(values.has("postgresql") || values.has("cassandra") || values.has("elasticsearch")
                || values.has("mysql") || values.has("prometheus") || values.has("grafana")).isFalse();
        for (String store : List.of(persistence.path("defaultStore").asText(), persistence.path("visibilityStore").asText())) {
            JsonNode sql = persistence.path("datastores").path(store).path("sql");
            assertThat(sql.path("pluginName").asText()).as("store %s", store).isEqualTo("postgres12");
            assertThat(sql.path("connectAddr").asText()).as("store %s", store).matches("[^:]+:\\d+");
            assertThat(sql.path("existingSecret").asText()).as("store %s password from a Secret", store).isNotEmpty();
            assertThat(sql.has("password")).as("store %s has no inline password", store).isFalse();
        }
        assertThat(values.at("/server/config/namespaces/namespace/0/name").asText()).isEqualTo("default");
    }

    @Test
    void mlflowAcceptsTheHostNameTheWorkersCallItBy() throws IOException {
        String tracking = documents(DEPLOY.resolve("base/endpoints.yaml")).get(0).at("/data/PFORMER_MLFLOW_TRACKING_URI").asText();
        String host = java.net.URI.create(tracking).getAuthority();
        List<String> args = new ArrayList<>();
        documents(DEPLOY.resolve("mlflow/mlflow.yaml")).get(0).at("/spec/template/spec/containers/0/args")
                .forEach(a -> args.add(a.asText()));
        // MLflow 3 refuses requests whose Host header matches none of --allowed-hosts (fnmatch patterns)
        List<String> allowed = args.stream().filter(a -> a.startsWith("--allowed-hosts="))
                .flatMap(a -> Stream.of(a.substring("--allowed-hosts=".length()).split(","))).toList();
        assertThat(allowed).as("--allowed-hosts of the MLflow server").isNotEmpty()
                .anyMatch(p -> host.matches(p.replace(".", "\\.").replace("*", ".*")));
        assertThat(args).contains("--no-serve-artifacts").anyMatch(a -> a.startsWith("--default-artifact-root=s3://"));
    }

    @Test
    void kustomizationListsFilesThatExist() throws IOException {
        JsonNode k = documents(DEPLOY.resolve("kustomization.yaml")).get(0);
        for (JsonNode r : k.path("resources")) {
            assertThat(DEPLOY.resolve(r.asText())).exists();
        }
    }

    @Test
    void workerPodsRunCommandsTheCliAccepts() throws IOException {
        for (String worker : List.of("workers/gpu-worker.yaml", "workers/cpu-worker.yaml")) {
            JsonNode container = documents(DEPLOY.resolve(worker)).get(0).at("/spec/template/spec/containers/0");
            List<String> args = new ArrayList<>();
            container.path("args").forEach(a -> args.add(a.asText()));
            CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
            assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("worker");
            WorkerCommand cmd = (WorkerCommand) parsed.subcommand().commandSpec().userObject();
            assertThat(cmd.queues).isSubsetOf("pipeline", "cpu", "gpu");
            if (worker.contains("gpu")) {
                assertThat(cmd.gpuSlots).as("one activity slot per GPU").isEqualTo(1);
                assertThat(container.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
            }
        }
    }

    @Test
    void noSecretValueIsCommitted() throws IOException {
        for (Path f : yamlFiles()) {
            for (JsonNode d : documents(f)) {
                if (d.path("kind").asText().equals("Secret")) {
                    d.path("stringData").forEach(v -> assertThat(v.asText()).as("%s", f).isEqualTo("REPLACE_ME"));
                    assertThat(d.path("data").isMissingNode()).as("%s has base64 data", f).isTrue();
                }
            }
        }
        JsonNode endpoints = documents(DEPLOY.resolve("base/endpoints.yaml")).get(0).path("data");
        assertThat(endpoints.has("AWS_SECRET_ACCESS_KEY")).isFalse();
        // the variables the code reads
        assertThat(endpoints.has("PFORMER_TEMPORAL_ADDRESS")).isTrue();
        assertThat(endpoints.has("PFORMER_MLFLOW_TRACKING_URI")).isTrue();
        assertThat(endpoints.has("PFORMER_S3_BUCKET")).isTrue();
        // an empty value is not "unset": boto3 (the MLflow server) fails on an empty MLFLOW_S3_ENDPOINT_URL
        endpoints.fields().forEachRemaining(e -> assertThat(e.getValue().asText()).as("%s", e.getKey()).isNotBlank());
    }
}
