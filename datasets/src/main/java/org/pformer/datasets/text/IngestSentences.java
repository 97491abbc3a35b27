package org.pformer.datasets.text;

import com.amazonaws.services.s3.AmazonS3;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pformer.datasets.io.S3TextSources;
import org.pformer.datasets.io.TextSource;
import org.pformer.datasets.io.TextSources;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.store.S3ArtifactStore;

/**
 * Command-line entry of sentence ingestion over local files and S3 prefixes (an {@code --input} of
 * {@code s3://bucket/prefix/} reads every object there with the store's S3 settings from the environment; the pipeline calls {@link SentenceIngestion} through
 * its activity; this is for operators and benchmarks). Re-running the same command resumes an interrupted run.
 *
 * <pre>
 * IngestSentences --input PATH|s3://bucket/prefix/ [--input …] --pformer-tokenizer tokenizer.json --llm-tokenizer tokenizer.json
 *                 --out DIR [--shard-size N] [--max-tokens 32] [--llm-max-tokens 32] [--min-words 1]
 *                 [--max-words 50] [--tokenize-batch 1024] [--threads NCPU] [--no-dedupe]
 * </pre>
 */
public final class IngestSentences {

    private IngestSentences() {}

    public static void main(String[] args) throws Exception {
        List<String> inputs = new ArrayList<>();
        Path pformerJson = null;
        Path llmJson = null;
        Path out = null;
        IngestOptions options = IngestOptions.defaults();
        int maxTokens = PFormerTokenizer.MAX_TEXT_TOKENS;
        int llmMaxTokens = PFormerTokenizer.MAX_TEXT_TOKENS;
        int batch = 1024;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--input" -> inputs.add(value(args, ++i, a));
                case "--pformer-tokenizer" -> pformerJson = Path.of(value(args, ++i, a));
                case "--llm-tokenizer" -> llmJson = Path.of(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--shard-size" -> options = options.withShardSize(intValue(args, ++i, a));
                case "--max-tokens" -> maxTokens = intValue(args, ++i, a);
                case "--llm-max-tokens" -> llmMaxTokens = intValue(args, ++i, a);
                case "--min-words" -> options = options.withWords(intValue(args, ++i, a), options.maxWords());
                case "--max-words" -> options = options.withWords(options.minWords(), intValue(args, ++i, a));
                case "--tokenize-batch" -> batch = intValue(args, ++i, a);
                case "--threads" -> threads = intValue(args, ++i, a);
                case "--no-dedupe" -> options = options.withDedupe(false);
                default -> throw usage("unknown argument '" + a + "'");
            }
        }
        if (inputs.isEmpty() || pformerJson == null || llmJson == null || out == null) {
            throw usage("--input, --pformer-tokenizer, --llm-tokenizer and --out are required");
        }
        AmazonS3 s3 = inputs.stream().anyMatch(S3TextSources::isS3)
                ? S3ArtifactStore.environmentClient() : null;
        try (PFormerTokenizer p = PFormerTokenizer.load(pformerJson, maxTokens);
             LlmTokenizer l = LlmTokenizer.load(llmJson, llmMaxTokens)) {
            List<TextSource> sources = TextSources.list(inputs, s3);
            IngestResult r = new SentenceIngestion(options, p, l).tuning(batch, threads).run(sources, out);
            System.out.printf("%s: %d sentences in %d shards; %d items this run in %.1f s (%.0f items/s)%s%n",
                    out, r.manifest().sentences(), r.manifest().shards().size(), r.itemsThisRun(), r.seconds(),
                    r.itemsPerSecond(), r.alreadyComplete() ? " (already complete)" : r.resumed() ? " (resumed)" : "");
        } finally {
            if (s3 != null) {
                s3.shutdown();
            }
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw usage(flag + " needs a value");
        }
        return args[i];
    }

    private static int intValue(String[] args, int i, String flag) {
        try {
            return Integer.parseInt(value(args, i, flag));
        } catch (NumberFormatException e) {
            throw usage(flag + " expects an integer, got '" + args[i] + "'");
        }
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message + "\nusage: IngestSentences --input PATH|s3://BUCKET/PREFIX/ [--input ...] "
                + "--pformer-tokenizer FILE --llm-tokenizer FILE --out DIR [--shard-size N] [--max-tokens N] "
                + "[--llm-max-tokens N] [--min-words N] [--max-words N] [--tokenize-batch N] [--threads N] [--no-dedupe]");
    }
}
