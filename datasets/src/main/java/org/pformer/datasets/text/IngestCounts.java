package org.pformer.datasets.text;

import java.util.Map;
import java.util.TreeMap;

/**
 * What ingestion did with every input item.
 *
 * @param items candidate sentences read (lines, JSONL records, caption strings of LAVIS records)
 * @param kept sentences written to the shards
 * @param dropped drop reason ↦ count: {@code malformed}, {@code too_long} (raw record over max_line_chars),
 *     {@code empty} (nothing left after cleaning), {@code too_short} (under min_words), {@code duplicate}
 * @param malformed kind of malformed record ↦ count ({@code invalid_json}, {@code invalid_utf8},
 *     {@code missing_text_field}, {@code not_text}, {@code not_an_object})
 * @param truncatedWords kept captions cut to max_words by the LAVIS cleaning
 * @param truncatedPformerTokens kept captions whose P-Former ids were cut to the tokenizer's maximum length
 * @param truncatedLlmTokens kept captions whose LLM ids were cut to the LLM's maximum length
 */
public record IngestCounts(
        long items,
        long kept,
        Map<String, Long> dropped,
        Map<String, Long> malformed,
        long truncatedWords,
        long truncatedPformerTokens,
        long truncatedLlmTokens) {

    public static final String MALFORMED = "malformed";
    public static final String TOO_LONG = "too_long";
    public static final String EMPTY = "empty";
    public static final String TOO_SHORT = "too_short";
    public static final String DUPLICATE = "duplicate";

    public IngestCounts {
        dropped = Map.copyOf(dropped);
        malformed = Map.copyOf(malformed);
    }

    public static IngestCounts zero() {
        return new IngestCounts(0, 0, Map.of(), Map.of(), 0, 0, 0);
    }

    /** Items dropped for {@code reason}. */
    public long dropped(String reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    /** The mutable tally ingestion keeps while it runs. */
    static final class Tally {
        long items;
        long kept;
        final TreeMap<String, Long> dropped = new TreeMap<>();
        final TreeMap<String, Long> malformed = new TreeMap<>();
        long truncatedWords;
        long truncatedPformer;
        long truncatedLlm;

        Tally(IngestCounts from) {
            items = from.items;
            kept = from.kept;
            dropped.putAll(from.dropped);
            malformed.putAll(from.malformed);
            truncatedWords = from.truncatedWords;
            truncatedPformer = from.truncatedPformerTokens;
            truncatedLlm = from.truncatedLlmTokens;
        }

        void drop(String reason) {
            dropped.merge(reason, 1L, Long::sum);
        }

        void malformed(String kind) {
            drop(MALFORMED);
            malformed.merge(kind, 1L, Long::sum);
        }

        IngestCounts snapshot() {
            return new IngestCounts(items, kept, dropped, malformed, truncatedWords, truncatedPformer, truncatedLlm);
        }
    }
}
