package org.pformer.activities;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.InputNames;
import org.pformer.activities.api.PipelineActivities;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.api.TrackingRun;
import org.pformer.activities.tracking.ExperimentTracker;
import org.pformer.activities.tracking.MetricPoint;
import org.pformer.activities.tracking.RunKey;
import org.pformer.config.ConfigException;
import org.pformer.config.ConfigLoader;
import org.pformer.config.DataConfig;
import org.pformer.config.ModelsConfig;
import org.pformer.config.PipelineConfig;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Pre-flight checks, the stage cache in the artifact store, and the MLflow runs of pipelines and grids. */
public final class PipelineActivitiesImpl implements PipelineActivities {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineActivitiesImpl.class);
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final StoreRegistry stores;
    private final ExperimentTracker tracker;

    public PipelineActivitiesImpl(StoreRegistry stores, ExperimentTracker tracker) {
        this.stores = stores;
        this.tracker = tracker;
    }

    /** Where a stage's result record lives in the store. */
    public static String resultKey(String stageKey) {
        return "stages/" + stageKey + "/result.json";
    }

    @Override
    public Map<String, String> preflight(PipelineConfig config) {
        // the configuration is validated again where it is used: a worker may run other code than the client
        try {
            ConfigLoader.parse(ConfigLoader.toYaml(config), "the pipeline configuration", Path.of("/"), false);
        } catch (ConfigException e) {
            throw FailureTypes.nonRetryable(FailureTypes.INVALID_CONFIG, e.getMessage(), null);
        }
        ArtifactStore store = stores.get(config.store().uri());
        String probe = "preflight/" + UUID.randomUUID();
        store.put(probe, new byte[] {1});
        store.delete(probe);

        Map<String, String> inputs = new LinkedHashMap<>();
        if (!config.usesWorld()) {
            DataConfig d = config.data();
            inputs.put(InputNames.SENTENCES, String.join("\n", d.sentences()));
            inputs.put(InputNames.PAIRS, String.join("\n", d.pairs().stream()
                    .flatMap(p -> java.util.stream.Stream.of(p.annotations(), p.images())).toList()));
            put(inputs, InputNames.VQAV2, d.vqav2() == null ? null : List.of(d.vqav2().questions(), d.vqav2().annotations(), d.vqav2().images()));
            put(inputs, InputNames.OKVQA, d.okvqa() == null ? null : List.of(d.okvqa().questions(), d.okvqa().annotations(), d.okvqa().images()));
            put(inputs, InputNames.GQA, d.gqa() == null ? null : List.of(d.gqa().annotations(), d.gqa().images()));
            put(inputs, InputNames.NOCAPS, d.nocaps() == null ? null : List.of(d.nocaps().annotations(), d.nocaps().images()));
            put(inputs, InputNames.COCO_CAPTION, d.cocoCaption() == null ? null : List.of(d.cocoCaption().annotations(), d.cocoCaption().images()));
            put(inputs, InputNames.RETRIEVAL, d.retrieval() == null ? null : List.of(d.retrieval().annotations(), d.retrieval().images()));
        }
        ModelsConfig m = config.models();
        put(inputs, InputNames.VISION_WEIGHTS, m.vision().weights() == null ? null : List.of(m.vision().weights()));
        put(inputs, InputNames.LLM_WEIGHTS, m.llm().weights() == null ? null : List.of(m.llm().weights()));
        put(inputs, InputNames.TEXT_ENCODER_WEIGHTS, m.textEncoder().weights() == null ? null : List.of(m.textEncoder().weights()));
        put(inputs, InputNames.LLM_TOKENIZER, m.llm().tokenizer() == null ? null : List.of(m.llm().tokenizer()));
        put(inputs, InputNames.TEXT_ENCODER_TOKENIZER, m.textEncoder().tokenizer() == null ? null : List.of(m.textEncoder().tokenizer()));

        Map<String, String> digests = new TreeMap<>();
        try (InputFingerprints fingerprints = new InputFingerprints(inputs.values().stream()
                .anyMatch(v -> v.contains("s3://")) ? InputFingerprints.defaultClient() : null)) {
            for (Map.Entry<String, String> input : inputs.entrySet()) {
                StringBuilder combined = new StringBuilder();
                for (String location : input.getValue().split("\n")) {
                    try {
                        combined.append(fingerprints.of(input.getKey(), location)).append('\n');
                    } catch (InputFingerprints.InputMissingException e) {
                        throw FailureTypes.nonRetryable(FailureTypes.INVALID_DATA, e.getMessage(), null);
                    }
                }
                digests.put(input.getKey(), org.pformer.store.Digests.sha256Hex(
                        combined.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        int images = 0;
        if (!config.usesWorld()) {
            try {
                images = PairImagesCheck.check(config.data().pairs());
            } catch (PairImagesCheck.BadPairs e) {
                throw FailureTypes.nonRetryable(FailureTypes.INVALID_DATA, e.getMessage(), null);
            }
        }
        LOG.info("pre-flight of {} passed: {} external inputs, {} pretraining images with a valid header",
                config.name(), digests.size(), images);
        return digests;
    }

    private static void put(Map<String, String> inputs, String name, List<String> locations) {
        if (locations != null) {
            inputs.put(name, String.join("\n", locations));
        }
    }

    @Override
    public StageResult lookupStage(String storeUri, String key) {
        ArtifactStore store = stores.get(storeUri);
        Optional<ArtifactRef> ref = store.find(resultKey(key));
        if (ref.isEmpty()) {
            return null;
        }
        StageResult result;
        try {
            result = JSON.readValue(store.readBytes(ref.get()), StageResult.class);
        } catch (IOException | RuntimeException e) {
            LOG.warn("stage cache entry {} is unreadable ({}); the stage will run again", ref.get().uri(), e.getMessage());
            return null;
        }
        for (Map.Entry<String, ArtifactRef> a : result.artifacts().entrySet()) {
            if (!stillStored(a.getValue())) {
                LOG.warn("stage {} ({}) is cached but its artifact '{}' ({}) is gone or was replaced; the stage will run again",
                        result.stage().id(), key, a.getKey(), a.getValue().uri());
                return null;
            }
        }
        return result;
    }

    private boolean stillStored(ArtifactRef ref) {
        try {
            ArtifactStore s = stores.containing(ref);
            String key = ref.uri().substring(s.rootUri().length() + 1);
            return s.find(key).map(found -> found.equals(ref)).orElse(false);
        } catch (RuntimeException e) {
            LOG.warn("cannot check artifact {}: {}", ref.uri(), e.getMessage());
            return false;
        }
    }

    @Override
    public void recordStage(String storeUri, StageResult result) {
        try {
            stores.get(storeUri).put(resultKey(result.key()), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void startTrackingRun(TrackingRun run) {
        RunKey key = new RunKey(run.experiment(), run.key(), run.name(), run.parentKey(), run.tags());
        tracker.startRun(key);
        tracker.logParams(key, run.params());
    }

    @Override
    public void endTrackingRun(TrackingRun run, Map<String, Double> metrics, String status) {
        RunKey key = new RunKey(run.experiment(), run.key(), run.name(), run.parentKey(), run.tags());
        long now = System.currentTimeMillis();
        tracker.logMetrics(key, metrics.entrySet().stream()
                .map(m -> new MetricPoint(m.getKey(), m.getValue(), 0, now)).toList());
        tracker.endRun(key, status);
    }
}
