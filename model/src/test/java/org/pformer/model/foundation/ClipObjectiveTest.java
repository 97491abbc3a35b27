package org.pformer.model.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;

/** CLIP targets with repeated captions, the symmetric loss against a hand computation, retrieval recall. */
class ClipObjectiveTest extends ManagedTest {

    // pairs: image A with "x" and "y", image B with "y" (a repeated caption), image C with "z"
    private static final List<String> IDS = List.of("A", "A", "B", "C");
    private static final List<String> CAPTIONS = List.of("x", "y", "y", "z");

    @Test
    void targetsAreUniformOverEveryTextThatDescribesTheImageAndViceVersa() {
        float t = 1f / 3;
        assertThat(ClipObjective.targets(manager, IDS, CAPTIONS, true).toFloatArray()).containsExactly(
                new float[] {t, t, t, 0, t, t, t, 0, 0, 0.5f, 0.5f, 0, 0, 0, 0, 1}, within(1e-7f));
        // text "x" describes only A; text "y" describes A (twice) and B
        assertThat(ClipObjective.targets(manager, IDS, CAPTIONS, false).toFloatArray()).containsExactly(
                new float[] {0.5f, 0.5f, 0, 0, t, t, t, 0, t, t, t, 0, 0, 0, 0, 1}, within(1e-7f));
    }

    @Test
    void lossIsTheMeanOfBothDirectionsSoftCrossEntropies() {
        float[] img = {1, 0, 0.6f, 0.8f};
        float[] txt = {0.8f, 0.6f, 0, 1};
        NDArray image = manager.create(img, new Shape(2, 2));
        NDArray text = manager.create(txt, new Shape(2, 2));
        NDArray scale = manager.create((float) Math.log(10));
        NDArray oneHot = manager.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
        NDArray soft = manager.create(new float[] {0.5f, 0.5f, 0, 1}, new Shape(2, 2));
        double[][] s = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                s[i][j] = 10 * (img[2 * i] * txt[2 * j] + img[2 * i + 1] * txt[2 * j + 1]);
            }
        }
        double i2t = (ce(s[0], new double[] {1, 0}) + ce(s[1], new double[] {0, 1})) / 2;
        double t2i = (ce(new double[] {s[0][0], s[1][0]}, new double[] {0.5, 0.5})
                + ce(new double[] {s[0][1], s[1][1]}, new double[] {0, 1})) / 2;
        assertThat(ClipObjective.clipLoss(image, text, scale, oneHot, soft).getFloat())
                .isCloseTo((float) ((i2t + t2i) / 2), within(1e-5f));
    }

    private static double ce(double[] logits, double[] target) {
        double max = Math.max(logits[0], logits[1]);
        double logZ = max + Math.log(Math.exp(logits[0] - max) + Math.exp(logits[1] - max));
        return -(target[0] * (logits[0] - logZ) + target[1] * (logits[1] - logZ));
    }

    @Test
    void recallCountsTheBestGroundTruthRankInBothDirections() {
        // distinct images A, B, C (rows) against the four texts (columns)
        float[] sim = {
            0.1f, 0.9f, 0.2f, 0.3f, // A: best is "y" (text 1) → hit
            0.5f, 0.1f, 0.4f, 0.6f, // B: negatives "z" and "x" beat its best "y" → rank 2
            0.9f, 0.0f, 0.1f, 0.8f, // C: "x" beats "z" → rank 1
        };
        RetrievalReport r = RetrievalReport.fromSimilarities(sim, List.of("A", "B", "C"), IDS, CAPTIONS);
        assertThat(r.images()).isEqualTo(3);
        assertThat(r.texts()).isEqualTo(4);
        assertThat(r.imageToTextR1()).isCloseTo(1 / 3.0, within(1e-9));
        assertThat(r.imageToTextR5()).isEqualTo(1.0);
        // texts: "x" scores C and B above A → miss; "y" (of A) → A, hit; "y" (of B) → B, hit (A would be too);
        // "z" → C, hit
        assertThat(r.textToImageR1()).isCloseTo(0.75, within(1e-9));
        // A is described by 3 of 4 texts, B by 2, C by 1
        assertThat(r.imageToTextChanceR1()).isCloseTo((3 / 4.0 + 2 / 4.0 + 1 / 4.0) / 3, within(1e-9));
        assertThat(r.asMetrics("eval/")).containsEntry("eval/i2t_r1", r.imageToTextR1()).hasSize(7);
    }

    @Test
    void aConstantScoreIsNeverAHit() {
        RetrievalReport r = RetrievalReport.fromSimilarities(new float[12], List.of("A", "B", "C"), IDS, CAPTIONS);
        assertThat(r.imageToTextR1()).isZero();
        assertThat(r.textToImageR1()).isZero();
    }
}
