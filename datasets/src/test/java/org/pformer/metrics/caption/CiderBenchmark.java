package org.pformer.metrics.caption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * CIDEr-D speed, ours against pycocoevalcap's {@code Cider().compute_score} on the same tokenised input
 * (default 4,500 images x 10 references, captions in the style of the shipped world). Not a test: run it with
 *
 * <pre>
 * mvn -B -ntp -q -pl datasets test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.pformer.metrics.caption.CiderBenchmark \
 *     -Dexec.args="--python ~/.cache/pformer/venvs/cocoeval/bin/python"
 * </pre>
 *
 * Arguments: {@code --images N}, {@code --refs N}, {@code --passes N}, {@code --python PATH} (a Python with
 * pycocoevalcap; without it only our timing is printed).
 */
public final class CiderBenchmark {
    private static final String[] SHAPES = {"circle", "square", "triangle", "star", "hexagon", "diamond", "cross"};
    private static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "orange", "white", "black"};
    private static final String[] SIZES = {"small", "little", "tiny", "large", "big", "huge"};
    private static final String[] RELATIONS = {"to the left of", "left of", "to the right of", "above", "below",
        "on top of", "beneath", "next to"};
    private static final String[] OPENERS = {"a", "there is a", "an image with a", "a picture showing a", "the"};

    private CiderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int images = 4500;
        int refsPerImage = 10;
        int passes = 10;
        String python = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--refs" -> refsPerImage = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i].replaceFirst("^~", System.getProperty("user.home"));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Random rng = new Random(2307_07063L);
        List<String> predictions = new ArrayList<>(images);
        List<List<String>> references = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            List<String> refs = new ArrayList<>(refsPerImage);
            for (int j = 0; j < refsPerImage; j++) {
                refs.add(caption(rng));
            }
            references.add(refs);
            predictions.add(caption(rng));
        }
        System.out.printf(Locale.ROOT, "CIDEr-D on %d images x %d references, %d cores%n", images, refsPerImage,
                Runtime.getRuntime().availableProcessors());

        double ours = Double.NaN;
        double[] seconds = new double[passes];
        for (int warm = 0; warm < 3; warm++) {
            CountedCorpus.of(predictions, references).cider();
        }
        double[] counting = new double[passes];
        double[] cpu = new double[passes];
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int p = 0; p < passes; p++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            CountedCorpus counted = CountedCorpus.of(predictions, references);
            long t1 = System.nanoTime();
            ours = counted.cider().corpus();
            seconds[p] = (System.nanoTime() - t0) / 1e9;
            counting[p] = (t1 - t0) / 1e9;
            cpu[p] = (os.getProcessCpuTime() - c0) / 1e9;
        }
        double oursMedian = median(seconds);
        double oursCpu = median(cpu);
        System.out.printf(Locale.ROOT, "ours (n-gram counting + CIDEr-D): median %.3f s wall (counting %.3f s), "
                + "%.3f s CPU, over %d passes; CIDEr %.6f; load average %.1f%n", oursMedian, median(counting),
                oursCpu, passes, ours, os.getSystemLoadAverage());
        if (python == null) {
            System.out.println("pycocoevalcap: not run (no --python given)");
            return;
        }
        JsonNode ref = runPycocoevalcap(python, predictions, references);
        double theirs = ref.get("median_s").asDouble();
        double theirsCpu = ref.get("median_cpu_s").asDouble();
        System.out.printf(Locale.ROOT, "pycocoevalcap Cider().compute_score: median %.3f s wall, %.3f s CPU, over %d "
                + "passes; CIDEr %.6f%n", theirs, theirsCpu, ref.get("passes").asInt(), ref.get("score").asDouble());
        System.out.printf(Locale.ROOT, "|CIDEr difference| = %.3g; speed-up %.1fx wall, %.1fx CPU%n",
                Math.abs(ours - ref.get("score").asDouble()), theirs / oursMedian, theirsCpu / oursCpu);
    }

    private static String caption(Random rng) {
        return pick(rng, OPENERS) + " " + pick(rng, SIZES) + " " + pick(rng, COLOURS) + " " + pick(rng, SHAPES) + " "
                + pick(rng, RELATIONS) + " a " + pick(rng, SIZES) + " " + pick(rng, COLOURS) + " "
                + pick(rng, SHAPES);
    }

    private static String pick(Random rng, String[] xs) {
        return xs[rng.nextInt(xs.length)];
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static JsonNode runPycocoevalcap(String python, List<String> predictions, List<List<String>> references)
            throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        Path dir = Files.createTempDirectory("cider-bench-");
        Path input = dir.resolve("input.json");
        Path script = dir.resolve("bench.py");
        try {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("predictions", predictions);
            data.put("references", references);
            json.writeValue(input.toFile(), data);
            Files.writeString(script, String.join("\n",
                    "import json, sys, time",
                    "from pycocoevalcap.cider.cider import Cider",
                    "d = json.load(open(sys.argv[1]))",
                    "res = {i: [p] for i, p in enumerate(d['predictions'])}",
                    "gts = {i: r for i, r in enumerate(d['references'])}",
                    "times, cpu = [], []",
                    "for _ in range(3):",
                    "    t0, c0 = time.perf_counter(), time.process_time()",
                    "    score, _ = Cider().compute_score(gts, res)",
                    "    times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)",
                    "print(json.dumps({'median_s': sorted(times)[1], 'median_cpu_s': sorted(cpu)[1], 'passes': 3,",
                    "                  'score': float(score)}))",
                    ""), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(python, script.toString(), input.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(python + " failed (exit " + p.exitValue() + "); is pycocoevalcap installed?");
            }
            return json.readTree(out);
        } finally {
            Files.deleteIfExists(input);
            Files.deleteIfExists(script);
            Files.deleteIfExists(dir);
        }
    }
}
