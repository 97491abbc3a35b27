package org.pformer.model.blip2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pformer.model.Fixtures;
import org.pformer.model.ManagedTest;
import org.pformer.model.nn.Masks;
import org.pformer.model.nn.ParameterFactory;

/**
 * BLIP-2's three self-attention masks, checked position by position twice: as the additive tensors the Q-Former
 * receives, and by behaviour — changing one input (the image, or one text token) changes exactly the outputs the
 * mask lets it reach.
 */
class QFormerMasksTest extends ManagedTest {

    private static final float X = Masks.BLOCKED;
    private static final int Q = 3;
    /** 4 text tokens then 2 padded positions. */
    private static final long[][] IDS = {{1, 9, 12, 2, 0, 0}};
    private static final long[][] MASK = {{1, 1, 1, 1, 0, 0}};

    @Test
    void maskTensorsAllowExactlyTheDocumentedPairs() {
        // 2 queries, 3 text tokens of which the last is padding; rows = attending position, columns = keys
        NDArray text = manager.create(new long[][] {{1, 1, 0}});
        assertThat(QueryTextMask.UNI_MODAL.build(2, text).toFloatArray()).containsExactly(
                0, 0, X, X, X,
                0, 0, X, X, X,
                X, X, 0, 0, X,
                X, X, 0, 0, X,
                X, X, 0, 0, X);
        assertThat(QueryTextMask.BIDIRECTIONAL.build(2, text).toFloatArray()).containsExactly(
                0, 0, 0, 0, X,
                0, 0, 0, 0, X,
                0, 0, 0, 0, X,
                0, 0, 0, 0, X,
                0, 0, 0, 0, X);
        assertThat(QueryTextMask.MULTIMODAL_CAUSAL.build(2, text).toFloatArray()).containsExactly(
                0, 0, X, X, X,
                0, 0, X, X, X,
                0, 0, 0, X, X,
                0, 0, 0, 0, X,
                0, 0, 0, 0, X);
    }

    @Test
    void eachMaskLetsAnInputReachExactlyTheOutputsItAllows() {
        QFormer qformer = new QFormer(ParameterFactory.random(manager, 5), Blip2Fixtures.WORLD.qformer(Q), true);
        qformer.eval();
        int t = IDS[0].length;
        try (NDManager m = manager.newSubManager()) {
            NDArray queries = m.randomNormal(new Shape(1, Q, 32));
            NDArray image = m.randomNormal(new Shape(1, 17, 32));
            NDArray otherImage = m.randomNormal(new Shape(1, 17, 32));
            for (QueryTextMask kind : QueryTextMask.values()) {
                NDArray base = run(qformer, queries, IDS, image, kind, m);
                // the image reaches the queries (cross-attention) and, unless the mask is uni-modal, every text row
                boolean[] expected = new boolean[Q + t];
                for (int i = 0; i < Q + t; i++) {
                    expected[i] = i < Q || kind != QueryTextMask.UNI_MODAL;
                }
                assertThat(changedRows(base, run(qformer, queries, IDS, otherImage, kind, m))).as("%s, image", kind)
                        .containsExactly(expected);
                for (int j = 0; j < t; j++) {
                    long[][] ids = {IDS[0].clone()};
                    ids[0][j] = 7;
                    boolean padded = MASK[0][j] == 0;
                    for (int i = 0; i < Q + t; i++) {
                        int row = i - Q; // text position of output row i (negative: a query)
                        expected[i] = row == j || !padded && switch (kind) {
                            case UNI_MODAL -> row >= 0;
                            case BIDIRECTIONAL -> true;
                            case MULTIMODAL_CAUSAL -> row >= j;
                        };
                    }
                    assertThat(changedRows(base, run(qformer, queries, ids, image, kind, m)))
                            .as("%s, text token %d", kind, j).containsExactly(expected);
                }
            }
        }
    }

    @Test
    void theUniModalJointPassEqualsSeparateImageAndTextPasses() {
        QFormer qformer = new QFormer(ParameterFactory.random(manager, 5), Blip2Fixtures.WORLD.qformer(Q), true);
        qformer.eval();
        try (NDManager m = manager.newSubManager()) {
            NDArray queries = m.randomNormal(new Shape(2, Q, 32));
            NDArray image = m.randomNormal(new Shape(2, 17, 32));
            long[][] ids = {IDS[0], {1, 8, 2, 0, 0, 0}};
            long[][] mask = {MASK[0], {1, 1, 1, 0, 0, 0}};
            NDArray joint = qformer.jointStates(queries, m.create(ids), m.create(mask), image, QueryTextMask.UNI_MODAL);
            NDArray alone = qformer.queryStates(queries, image);
            NDArray text = qformer.textStates(m.create(ids), m.create(mask));
            assertThat(Fixtures.maxAbsDiff(joint.get(new NDIndex(":, :{}, :", Q)), alone)).isLessThan(1e-5f);
            // text rows, padded positions included: both see exactly the non-padded text
            assertThat(Fixtures.maxAbsDiff(joint.get(new NDIndex(":, {}:, :", Q)), text)).isLessThan(1e-5f);
        }
    }

    private static NDArray run(QFormer qformer, NDArray queries, long[][] ids, NDArray image, QueryTextMask kind,
            NDManager m) {
        return qformer.jointStates(queries, m.create(ids), m.create(MASK), image, kind);
    }

    private static boolean[] changedRows(NDArray a, NDArray b) {
        float[] diff = a.sub(b).abs().max(new int[] {2}).toFloatArray();
        boolean[] out = new boolean[diff.length];
        for (int i = 0; i < diff.length; i++) {
            out[i] = diff[i] > 1e-6f;
        }
        return out;
    }
}
