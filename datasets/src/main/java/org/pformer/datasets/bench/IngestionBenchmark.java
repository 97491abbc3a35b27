package org.pformer.datasets.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pformer.datasets.io.LocalTextSources;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.datasets.text.FingerprintSet;
import org.pformer.datasets.text.IngestOptions;
import org.pformer.datasets.text.IngestResult;
import org.pformer.datasets.text.SentenceIngestion;
import org.pformer.datasets.tokenize.ByteLevelBpeBuilder;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.datasets.tokenize.WordPieceTokenizerBuilder;
import org.pformer.datasets.world.WorldGenerator;

/**
 * Sentence-ingestion throughput (issue #3: 12M sentences well under an hour on 2 cores). Generates a world
 * sentence corpus of {@code --sentences} lines (8 files), builds the world tokenizers from it, ingests it with both
 * tokenizers and the default options, and reports sentences per second of wall time and CPU, plus the cost of each
 * part measured alone on a sample.
 *
 * <p>For the comparison with Hugging Face {@code tokenizers} in Python ({@code bench/ingestion_reference.py},
 * issue 9 item 4) the sample ({@code --sample} lines of the first corpus file) is written to
 * {@code WORK/sample.txt} and the tokenizers to {@code WORK/tokenizers/{pformer,llm}/tokenizer.json}; each of
 * {@code --repeats} passes of cleaning + de-duplication + both tokenizers over the sample, in memory, prints a line
 * {@code RESULT part=clean_tokenize sentences=N seconds=S sentences_per_s=R}, and the whole ingestion (reading,
 * shards written) prints {@code RESULT part=ingestion …}.
 *
 * <pre>
 * java -cp … org.pformer.datasets.bench.IngestionBenchmark --sentences 1200000 --work /tmp/ingest-bench
 *     [--sample 100000] [--repeats 3]
 * </pre>
 */
public final class IngestionBenchmark {

    private IngestionBenchmark() {}

    public static void main(String[] args) throws Exception {
        long sentences = 1_200_000;
        int sampleSize = 100_000;
        int repeats = 3;
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "pformer-ingest-bench");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sentences" -> sentences = Long.parseLong(args[i + 1]);
                case "--work" -> work = Path.of(args[i + 1]);
                case "--sample" -> sampleSize = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: IngestionBenchmark [--sentences N] [--work DIR] [--sample N] [--repeats N]");
            }
        }
        Path corpus = work.resolve("corpus");
        Path tokenizers = work.resolve("tokenizers");
        Path out = work.resolve("shards-" + System.nanoTime());
        if (!Files.isDirectory(corpus) || LocalTextSources.list(corpus).size() != 8) {
            long t = System.nanoTime();
            WorldGenerator.writeSentenceCorpus(1, sentences, corpus, 8);
            System.out.printf("corpus: %d sentences in %.1f s%n", sentences, (System.nanoTime() - t) / 1e9);
        }
        List<String> sample = new ArrayList<>();
        try (var lines = Files.lines(corpus.resolve("sentences-00.txt"))) {
            lines.limit(sampleSize).forEach(sample::add);
        }
        Files.write(work.resolve("sample.txt"), sample);
        WordPieceTokenizerBuilder wp = new WordPieceTokenizerBuilder(1);
        ByteLevelBpeBuilder bpe = new ByteLevelBpeBuilder(8192, 2);
        sample.forEach(s -> {
            wp.add(s);
            bpe.add(s + "\n");
        });
        wp.write(tokenizers.resolve("pformer/tokenizer.json"));
        bpe.write(tokenizers.resolve("llm/tokenizer.json"));

        try (PFormerTokenizer p = PFormerTokenizer.load(tokenizers.resolve("pformer/tokenizer.json"), 32);
             LlmTokenizer l = LlmTokenizer.load(tokenizers.resolve("llm/tokenizer.json"), 32)) {
            parts(sample, p, l);
            for (int r = 0; r < repeats; r++) {
                long t = System.nanoTime();
                int n = cleanAndTokenize(sample, p, l);
                double seconds = (System.nanoTime() - t) / 1e9;
                System.out.printf(Locale.ROOT, "RESULT part=clean_tokenize sentences=%d kept=%d seconds=%.4f"
                        + " sentences_per_s=%.1f%n", sample.size(), n, seconds, sample.size() / seconds);
            }
            long cpu0 = cpuNanos();
            IngestResult r = new SentenceIngestion(IngestOptions.defaults(), p, l)
                    .run(LocalTextSources.list(corpus), out);
            double cpu = (cpuNanos() - cpu0) / 1e9;
            System.out.printf("ingestion: %d items -> %d sentences in %d shards: %.1f s wall, %.1f s CPU "
                            + "(%.2f cores): %.0f items/s; %.1f min for 12M at this rate%n",
                    r.itemsThisRun(), r.manifest().sentences(), r.manifest().shards().size(), r.seconds(), cpu,
                    cpu / r.seconds(), r.itemsPerSecond(), 12e6 / r.itemsPerSecond() / 60);
            System.out.printf("drops: %s%n", r.manifest().counts().dropped());
            System.out.printf(Locale.ROOT, "RESULT part=ingestion sentences=%d seconds=%.3f sentences_per_s=%.1f%n",
                    r.itemsThisRun(), r.seconds(), r.itemsPerSecond());
        }
        long bytes;
        try (var walk = Files.walk(out)) {
            bytes = walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("shards on disk: %.1f MiB in %s%n", bytes / 1048576.0, out);
    }

    /**
     * What the Python reference does, in memory: BLIP cleaning, exact de-duplication, both tokenizers in batches
     * of 1,024; returns the number of sentences kept.
     */
    private static int cleanAndTokenize(List<String> sample, PFormerTokenizer p, LlmTokenizer l) {
        BlipCaptionCleaner cleaner = new BlipCaptionCleaner();
        FingerprintSet seen = new FingerprintSet();
        List<String> clean = new ArrayList<>(sample.size());
        for (String s : sample) {
            String c = cleaner.clean(s);
            if (!c.isEmpty() && seen.add(c)) {
                clean.add(c);
            }
        }
        for (int i = 0; i < clean.size(); i += 1024) {
            List<String> chunk = clean.subList(i, Math.min(clean.size(), i + 1024));
            p.encodeBatch(chunk);
            l.encodeCaptions(chunk);
        }
        return clean.size();
    }

    /** Each stage alone on the sample: cleaning + de-duplication, then each tokenizer. */
    private static void parts(List<String> sample, PFormerTokenizer p, LlmTokenizer l) {
        BlipCaptionCleaner cleaner = new BlipCaptionCleaner();
        List<String> clean = new ArrayList<>(sample.size());
        for (int warm = 0; warm < 2; warm++) {
            clean.clear();
            long t = System.nanoTime();
            FingerprintSet seen = new FingerprintSet();
            for (String s : sample) {
                String c = cleaner.clean(s);
                if (seen.add(c)) {
                    clean.add(c);
                }
            }
            report(warm, "clean + dedupe", sample.size(), t);
        }
        for (int warm = 0; warm < 2; warm++) {
            long t = System.nanoTime();
            for (int i = 0; i < clean.size(); i += 1024) {
                p.encodeBatch(clean.subList(i, Math.min(clean.size(), i + 1024)));
            }
            report(warm, "P-Former WordPiece", clean.size(), t);
            t = System.nanoTime();
            for (int i = 0; i < clean.size(); i += 1024) {
                l.encodeCaptions(clean.subList(i, Math.min(clean.size(), i + 1024)));
            }
            report(warm, "LLM byte-level BPE", clean.size(), t);
        }
    }

    private static void report(int warm, String what, int n, long t0) {
        if (warm > 0) {
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("  %-20s %8.0f sentences/s (%.1f us each)%n", what, n / s, s * 1e6 / n);
        }
    }

    private static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }
}
