package org.pformer.metrics.caption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * SPICE 1.0 run as pycocoevalcap's {@code Spice} runs it: the tokenised captions written as
 * {@code [{"image_id", "test", "refs"}]}, {@code SpiceScorer in.json -out out.json -subset -silent} with an 8 GB heap
 * in the jar's directory; the image score is {@code scores.All.f} (NaN where SPICE gives none) and the corpus score
 * the mean of those. Differences from the reference launch, both needed on Java 17 and neither changing a score:
 * SpiceScorer is started as a main class so that {@code spiceClasspath} (CoreNLP 3.6.0 + models, a standalone
 * Nashorn for the script engine SPICE looks up) can be added, and its LMDB parse cache is not used (its serialiser
 * cannot reach JDK internals on Java 17).
 */
final class SpiceScorer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_MINUTES = 120;

    private SpiceScorer() {
    }

    static MetricScores score(ExternalScorerConfig config, List<String> imageIds, List<String> predictions,
            List<List<String>> references) throws IOException {
        Path jar = config.spiceJar().orElseThrow().toAbsolutePath();
        Path dir = Files.createTempDirectory("pformer-spice-");
        Path input = dir.resolve("input.json");
        Path output = dir.resolve("output.json");
        Path stderr = dir.resolve("stderr.txt");
        try {
            ArrayNode items = JSON.createArrayNode();
            for (int i = 0; i < imageIds.size(); i++) {
                ObjectNode item = items.addObject();
                item.put("image_id", imageIds.get(i));
                item.put("test", predictions.get(i));
                ArrayNode refs = item.putArray("refs");
                references.get(i).forEach(refs::add);
            }
            JSON.writeValue(input.toFile(), items);
            List<String> classpath = new ArrayList<>();
            classpath.add(jar.toString());
            classpath.addAll(config.spiceClasspath());
            List<String> command = List.of(config.java().toString(), "-Xmx8G", "-cp",
                    String.join(File.pathSeparator, classpath), "edu.anu.spice.SpiceScorer", input.toString(),
                    "-out", output.toString(), "-subset", "-silent");
            Process p = ExternalProcess.start(command, jar.getParent(), stderr);
            p.getOutputStream().close();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("SPICE did not finish within " + TIMEOUT_MINUTES + " minutes");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(output)) {
                throw new IOException("SPICE exited with status " + p.exitValue() + "; stderr: "
                        + ExternalProcess.tail(stderr));
            }
            return read(output, imageIds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while SPICE ran", e);
        } finally {
            for (Path f : new Path[] {input, output, stderr, dir}) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static MetricScores read(Path output, List<String> imageIds) throws IOException {
        Map<String, Double> byImage = new HashMap<>();
        for (JsonNode item : JSON.readTree(output.toFile())) {
            JsonNode f = item.path("scores").path("All").path("f");
            byImage.put(item.path("image_id").asText(), f.isNumber() ? f.asDouble() : Double.NaN);
        }
        double[] perImage = new double[imageIds.size()];
        double sum = 0;
        for (int i = 0; i < perImage.length; i++) {
            Double f = byImage.get(imageIds.get(i));
            if (f == null) {
                throw new IOException("SPICE output " + output + " has no score for image '" + imageIds.get(i) + "'");
            }
            perImage[i] = f;
            sum += f;
        }
        return new MetricScores(CaptionMetric.SPICE, sum / perImage.length, perImage);
    }
}
