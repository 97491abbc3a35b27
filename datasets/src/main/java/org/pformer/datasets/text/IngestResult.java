package org.pformer.datasets.text;

import java.nio.file.Path;

/**
 * The outcome of one {@link SentenceIngestion#run} call.
 *
 * @param manifest the finished corpus
 * @param directory where the shards and the manifest are
 * @param itemsThisRun input items processed by this call (excludes work done before a resume)
 * @param seconds wall time of this call
 * @param resumed this call continued an interrupted ingestion
 * @param alreadyComplete the directory already held this exact corpus; nothing was done
 */
public record IngestResult(ShardManifest manifest, Path directory, long itemsThisRun, double seconds,
                           boolean resumed, boolean alreadyComplete) {

    /** Input items per second of this call. */
    public double itemsPerSecond() {
        return seconds > 0 ? itemsThisRun / seconds : 0;
    }
}
