package org.pformer.activities.stages;

import com.amazonaws.services.s3.AmazonS3;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.StageActivities.IngestActivities;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.IngestConfig;
import org.pformer.config.PipelineConfig;
import org.pformer.datasets.io.LocalTextSources;
import org.pformer.datasets.io.S3TextSources;
import org.pformer.datasets.io.TextSource;
import org.pformer.datasets.io.TextSources;
import org.pformer.datasets.text.IngestCounts;
import org.pformer.datasets.text.IngestListener;
import org.pformer.datasets.text.ShardManifest;
import org.pformer.datasets.text.IngestOptions;
import org.pformer.datasets.text.IngestResult;
import org.pformer.datasets.text.SentenceIngestion;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.store.ArtifactRef;
import org.pformer.store.S3ArtifactStore;

/**
 * Pipeline stage 1: sentence ingestion (LAVIS cleaning, exact de-duplication, both tokenisations) into verified
 * token shards. The corpus is read from local paths or streamed from S3 objects and prefixes. Ingestion commits a
 * resume cursor after every shard in the stage's work directory, so a worker restarted on the same machine
 * continues where it stopped (S3 inputs are listed again in the same order and must still be the listed versions);
 * every committed shard is heartbeated.
 */
public final class IngestActivitiesImpl implements IngestActivities {

    public static final String SHARDS = "shards";

    private final StageExecutor executor;

    public IngestActivitiesImpl(StageExecutor executor) {
        this.executor = executor;
    }

    @Override
    public StageResult ingestSentences(StageRequest request) {
        return executor.execute(request, this::run);
    }

    private StageResult run(StageRun run) throws IOException {
        PipelineConfig config = run.request().config();
        Backbones backbones = Backbones.of(run.request(), executor.env().artifacts(run.request()));
        List<String> locations = backbones.isWorld() ? List.of() : config.data().sentences();
        AmazonS3 s3 = locations.stream().anyMatch(S3TextSources::isS3) ? S3ArtifactStore.environmentClient() : null;
        try {
            return ingest(run, config, backbones, sources(config, backbones, s3));
        } finally {
            if (s3 != null) {
                s3.shutdown();
            }
        }
    }

    private StageResult ingest(StageRun run, PipelineConfig config, Backbones backbones, List<TextSource> sources)
            throws IOException {
        IngestConfig c = config.ingest();
        IngestOptions options = IngestOptions.defaults().withWords(c.minWords(), c.maxWords()).withDedupe(c.dedupe())
                .withShardSize(c.shardSize()).withMaxLineChars(c.maxLineChars());
        int llmMax = backbones.isWorld() ? backbones.llmConfig(1).maxPositions() : 512;
        Path out = run.workDir().resolve(SHARDS);
        IngestResult result;
        try (PFormerTokenizer text = PFormerTokenizer.load(backbones.textTokenizer(), config.pformer().maxTextLen());
             LlmTokenizer llm = LlmTokenizer.load(backbones.llmTokenizer(), llmMax)) {
            long[] shards = {0};
            result = new SentenceIngestion(options, text, llm)
                    .listener(new IngestListener() {
                        @Override
                        public void shardCommitted(ShardManifest.Shard shard, IngestCounts counts) {
                            shards[0]++;
                            logShard(shards[0], counts);
                        }

                        @Override
                        public void resumed(int committedShards, IngestCounts counts) {
                            // a retried attempt logs its shards at the steps they have in the whole run, so
                            // MLflow's (metric, step) points of the uninterrupted run are neither lost nor repeated;
                            // the last committed shard is logged again because the attempt may have died between
                            // committing it and logging it (the tracker keeps the first point of a step)
                            shards[0] = committedShards;
                            if (committedShards > 0) {
                                logShard(committedShards, counts);
                            }
                        }

                        private void logShard(long step, IngestCounts counts) {
                            run.step(step, 0, Map.of("kept", (double) counts.kept(), "items", (double) counts.items()));
                        }

                        @Override
                        public void batchWritten(long itemsThisRun) {
                            run.progress(shards[0], 0); // heartbeats between shards (the SDK throttles them)
                        }
                    })
                    .run(sources, out);
        }
        IngestCounts counts = result.manifest().counts();
        if (counts.kept() == 0) {
            throw FailureTypes.nonRetryable(FailureTypes.INVALID_DATA, "stage ingest: the sentence corpus "
                    + sources.stream().map(TextSource::name).toList() + " gave no usable sentence (" + counts.items()
                    + " items, dropped " + counts.dropped() + ", malformed " + counts.malformed() + ")", null);
        }
        Map<String, Double> metrics = new TreeMap<>();
        metrics.put("items", (double) counts.items());
        metrics.put("kept", (double) counts.kept());
        counts.dropped().forEach((reason, n) -> metrics.put("dropped." + reason, (double) n));
        counts.malformed().forEach((kind, n) -> metrics.put("malformed." + kind, (double) n));
        metrics.put("truncated_words", (double) counts.truncatedWords());
        metrics.put("shards", (double) result.manifest().shards().size());
        if (!result.alreadyComplete()) {
            // throughput is logged to the run but kept out of the result: final metrics are deterministic
            run.step(result.manifest().shards().size(), 0, Map.of("items_per_s", result.itemsPerSecond()));
        }
        ArtifactRef shardsRef = run.putDirectory(SHARDS, out);
        run.logArtifact("ingest/shards", shardsRef);
        return run.finish(Map.of(SHARDS, shardsRef), metrics, 0);
    }

    /**
     * The corpus files: the world's sentence corpus, or {@code data.sentences} (local files or directory trees,
     * s3:// objects or prefixes), each location's files sorted by name so a resume cursor stays valid.
     */
    private static List<TextSource> sources(PipelineConfig config, Backbones backbones, AmazonS3 s3)
            throws IOException {
        if (backbones.isWorld()) {
            List<Path> files = new ArrayList<>();
            backbones.world().datasets().sentences().forEach(p -> files.add(backbones.worldPath(p)));
            return LocalTextSources.list(files);
        }
        List<String> locations = config.data().sentences();
        if (locations.isEmpty()) {
            throw new StageExecutor.InvalidStageConfig("data.sentences is empty; expected at least one corpus file, "
                    + "directory or s3:// prefix");
        }
        return TextSources.list(locations, s3);
    }
}
