package org.pformer.datasets.text;

/**
 * A skipped record quoted in the ingestion report.
 *
 * @param source the input file
 * @param item the item's 0-based position in that file
 * @param reason why it was skipped
 * @param excerpt the start of the record
 */
public record MalformedSample(String source, long item, String reason, String excerpt) {}
