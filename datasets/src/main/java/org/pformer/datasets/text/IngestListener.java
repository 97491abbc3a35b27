package org.pformer.datasets.text;

/** Progress of an ingestion, e.g. for activity heartbeats. Called on the ingesting thread. */
@FunctionalInterface
public interface IngestListener {

    /** A shard was written and the resume cursor committed past it. */
    void shardCommitted(ShardManifest.Shard shard, IngestCounts countsSoFar);

    IngestListener NONE = (shard, counts) -> { };
}
