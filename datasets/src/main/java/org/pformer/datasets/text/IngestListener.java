package org.pformer.datasets.text;

/** Progress of an ingestion, e.g. for activity heartbeats. Called on the ingesting thread. */
@FunctionalInterface
public interface IngestListener {

    /** A shard was written and the resume cursor committed past it. */
    void shardCommitted(ShardManifest.Shard shard, IngestCounts countsSoFar);

    /**
     * A batch of sentences was cleaned, tokenised and written (not yet committed): a sign of life between shards,
     * which can take minutes each on a slow or busy machine.
     *
     * @param itemsThisRun input items read by this run so far
     */
    default void batchWritten(long itemsThisRun) {}

    /**
     * The run continues an interrupted one, after {@code committedShards} shards written before; {@code countsSoFar}
     * are the counts committed with the last of them. An interruption can fall between a shard's commit and its
     * {@link #shardCommitted} call, so a listener that records per-shard progress records the last committed shard
     * here again (idempotently) rather than lose it.
     */
    default void resumed(int committedShards, IngestCounts countsSoFar) {}

    IngestListener NONE = (shard, counts) -> { };
}
