package org.pformer.datasets.text;

import java.util.List;

/**
 * Settings of sentence ingestion (the {@code ingest} section of the pipeline configuration): everything that
 * determines the output, hence the identity of an ingestion job. Speed settings (batch size, threads) are on
 * {@link SentenceIngestion} and never change the output.
 *
 * @param minWords drop clean captions with fewer words ({@code too_short})
 * @param maxWords LAVIS {@code max_words}: longer captions are truncated to this many words (counted)
 * @param dedupe drop exact repeats of a clean caption ({@code duplicate})
 * @param shardSize sentences per shard; also the commit interval of the resume cursor
 * @param maxLineChars raw lines / records longer than this are dropped unread ({@code too_long}), which also
 *     bounds memory
 * @param malformedSamples how many malformed records to quote in the report
 * @param textFields fields holding the text in JSONL / LAVIS JSON records, first present wins; a list value
 *     (Karpathy val/test) yields one sentence per element
 */
public record IngestOptions(
        int minWords,
        int maxWords,
        boolean dedupe,
        int shardSize,
        int maxLineChars,
        int malformedSamples,
        List<String> textFields) {

    public IngestOptions {
        textFields = List.copyOf(textFields);
        require(minWords >= 1, "min_words must be >= 1, got " + minWords);
        require(maxWords >= minWords, "max_words (" + maxWords + ") must be >= min_words (" + minWords + ")");
        require(shardSize >= 1, "shard_size must be >= 1, got " + shardSize);
        require(maxLineChars >= 16, "max_line_chars must be >= 16, got " + maxLineChars);
        require(malformedSamples >= 0, "malformed_samples must be >= 0, got " + malformedSamples);
        require(!textFields.isEmpty(), "text_fields must name at least one field");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The defaults of the pipeline configuration (LAVIS: at most 50 words). */
    public static IngestOptions defaults() {
        return new IngestOptions(1, 50, true, 100_000, 10_000, 20, List.of("caption", "text"));
    }

    public IngestOptions withShardSize(int n) {
        return new IngestOptions(minWords, maxWords, dedupe, n, maxLineChars, malformedSamples,
                textFields);
    }

    public IngestOptions withDedupe(boolean on) {
        return new IngestOptions(minWords, maxWords, on, shardSize, maxLineChars, malformedSamples,
                textFields);
    }

    public IngestOptions withWords(int min, int max) {
        return new IngestOptions(min, max, dedupe, shardSize, maxLineChars, malformedSamples,
                textFields);
    }

    public IngestOptions withMaxLineChars(int n) {
        return new IngestOptions(minWords, maxWords, dedupe, shardSize, n, malformedSamples,
                textFields);
    }

}
