package org.pformer.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.StageResult;
import org.pformer.activities.api.TrackingRun;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.store.ArtifactRef;
import org.pformer.store.ArtifactStore;

class PipelineActivitiesImplTest {

    @TempDir
    Path tmp;

    private StoreRegistry stores;
    private RecordingTracker tracker;
    private PipelineActivitiesImpl activities;
    private String storeUri;

    @BeforeEach
    void setUp() {
        stores = new StoreRegistry();
        tracker = new RecordingTracker();
        activities = new PipelineActivitiesImpl(stores, tracker);
        storeUri = "file://" + tmp.resolve("store");
    }

    @AfterEach
    void tearDown() {
        stores.close();
    }

    private PipelineConfig config(String extra) {
        return ConfigLoader.parse("name: t\nstore: {uri: '" + storeUri + "'}\n" + extra, "t.yaml", tmp, false);
    }

    @Test
    void theStageCacheRoundTripsAndDropsEntriesWhoseArtifactsChanged() {
        ArtifactStore store = stores.get(storeUri);
        ArtifactRef ckpt = store.put("stages/k1/model.safetensors", new byte[] {1, 2, 3});
        StageResult result = new StageResult(StageName.STAGE1, "k1", Map.of("checkpoint", ckpt), Map.of("itc", 1.5), "wf/stage1", 40);
        assertThat(activities.lookupStage(storeUri, "k1")).isNull();
        activities.recordStage(storeUri, result);
        assertThat(activities.lookupStage(storeUri, "k1")).isEqualTo(result);

        store.put("stages/k1/model.safetensors", new byte[] {9, 9}); // replaced behind the cache's back
        assertThat(activities.lookupStage(storeUri, "k1")).isNull();
    }

    @Test
    void preflightOfTheWorldNeedsNoExternalInputs() {
        assertThat(activities.preflight(config(""))).isEmpty();
    }

    @Test
    void preflightFingerprintsLocalInputsAndTheDigestFollowsTheirContent() throws Exception {
        Path sentences = Files.writeString(tmp.resolve("sentences.txt"), "a red circle\n");
        Path ann = Files.writeString(tmp.resolve("pairs.json"), "[]");
        Files.createDirectories(tmp.resolve("images"));
        Files.write(tmp.resolve("images/1.png"), new byte[] {1});
        String files = "data: {source: files, sentences: [sentences.txt], pairs: [{annotations: pairs.json, images: images}]}\n";
        Map<String, String> first = activities.preflight(config(files));
        assertThat(first).containsOnlyKeys("sentences", "pairs");
        Files.writeString(sentences, "a red circle\na blue square\n");
        Map<String, String> second = activities.preflight(config(files));
        assertThat(second.get("sentences")).isNotEqualTo(first.get("sentences"));
        assertThat(second.get("pairs")).isEqualTo(first.get("pairs"));
        assertThat(ann).exists();
    }

    @Test
    void preflightRejectsAMissingInputAsNonRetryableNamingIt() throws Exception {
        Files.writeString(tmp.resolve("sentences.txt"), "x\n");
        PipelineConfig c = config("data: {source: files, sentences: [sentences.txt], pairs: [{annotations: pairs.json, images: images}]}\n");
        assertThatThrownBy(() -> activities.preflight(c))
                .isInstanceOf(ApplicationFailure.class)
                .satisfies(e -> {
                    ApplicationFailure f = (ApplicationFailure) e;
                    assertThat(f.getType()).isEqualTo(FailureTypes.INVALID_DATA);
                    assertThat(f.isNonRetryable()).isTrue();
                })
                .hasMessageContaining("input pairs").hasMessageContaining(tmp.resolve("pairs.json").toString());
    }

    @Test
    void preflightRejectsAPretrainingImageThatIsNotAnImageBeforeAnyStage() throws Exception {
        Files.writeString(tmp.resolve("sentences.txt"), "a red circle\n");
        Files.createDirectories(tmp.resolve("images"));
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 3, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", tmp.resolve("images/ok.png").toFile());
        Files.writeString(tmp.resolve("pairs.json"), """
                [{"image": "ok.png", "caption": "a red circle"}, {"image": "ok.png", "caption": "a circle"},
                 {"image": "notes.jpg", "caption": "a blue square"}]""");
        String files = "data: {source: files, sentences: [sentences.txt], pairs: [{annotations: pairs.json, images: images}]}\n";
        Files.writeString(tmp.resolve("images/notes.jpg"), "meeting notes, not a photo");
        assertThatThrownBy(() -> activities.preflight(config(files)))
                .isInstanceOf(ApplicationFailure.class)
                .satisfies(e -> {
                    ApplicationFailure f = (ApplicationFailure) e;
                    assertThat(f.getType()).isEqualTo(FailureTypes.INVALID_DATA);
                    assertThat(f.isNonRetryable()).isTrue();
                })
                .hasMessageContaining("data.pairs[0]: pair 2 of " + tmp.resolve("pairs.json"))
                .hasMessageContaining("names image 'notes.jpg'").hasMessageContaining("not a JPEG or PNG");

        Files.delete(tmp.resolve("images/notes.jpg"));
        assertThatThrownBy(() -> activities.preflight(config(files))).isInstanceOf(ApplicationFailure.class)
                .hasMessageContaining("no such file " + tmp.resolve("images/notes.jpg"));

        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "jpeg", tmp.resolve("images/notes.jpg").toFile());
        assertThat(activities.preflight(config(files))).containsOnlyKeys("sentences", "pairs");
    }

    @Test
    void trackingRunsStartWithParamsAndEndWithMetrics() {
        TrackingRun run = new TrackingRun("exp", "wf-1", "grid", "name", Map.of("omega1", "10.0"), Map.of());
        activities.startTrackingRun(run);
        activities.endTrackingRun(run, Map.of("vqa/accuracy", 0.5), "FINISHED");
        assertThat(tracker.calls).containsExactly("start wf-1 parent=grid", "params wf-1 {omega1=10.0}", "metrics wf-1 1",
                "end wf-1 FINISHED");
    }
}
