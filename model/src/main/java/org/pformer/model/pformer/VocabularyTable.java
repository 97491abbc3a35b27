package org.pformer.model.pformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import org.pformer.model.nn.Embedding;
import org.pformer.model.nn.Functional;

/**
 * A FLOAT32 copy of the frozen LLM's input-embedding table E (V, H_llm) with its squared row norms ‖e‖²
 * precomputed, for L_vocab's nearest-row search. Built once: the table is frozen.
 */
public final class VocabularyTable implements AutoCloseable {

    private final NDArray table;
    private final NDArray squaredNorms;

    public VocabularyTable(Embedding frozenEmbedding, NDManager manager) {
        if (!frozenEmbedding.weight().isFrozen()) {
            throw new IllegalArgumentException("the vocabulary table must come from a frozen embedding");
        }
        NDArray w = frozenEmbedding.weight().array();
        // an engine-owned copy: it must not alias the embedding's storage, which may be replaced later
        NDArray converted = w.toType(DataType.FLOAT32, false);
        table = converted.duplicate();
        if (converted != w) {
            converted.close();
        }
        table.attach(manager);
        NDScope.unregister(table);
        squaredNorms = table.square().sum(new int[] {1}); // (V)
        squaredNorms.attach(manager);
        NDScope.unregister(squaredNorms);
    }

    /**
     * Index of the nearest row for each row of {@code x} (N, H) by squared Euclidean distance
     * ‖x‖² + ‖e‖² − 2x·e (no gradient).
     */
    public NDArray nearest(NDArray x) {
        NDArray xd = x.stopGradient();
        NDArray dist = xd.square().sum(new int[] {1}, true)
                .add(squaredNorms.expandDims(0))
                .sub(Functional.scale(xd.matMul(table.transpose()), 2));
        return dist.argMin(1);
    }

    /** Rows of the table for integer indices (no gradient: the table is a constant). */
    public NDArray rows(NDArray indices) {
        return ai.djl.nn.core.Embedding.embedding(indices, table, SparseFormat.DENSE).singletonOrThrow();
    }

    public long size() {
        return table.getShape().get(0);
    }

    @Override
    public void close() {
        table.close();
        squaredNorms.close();
    }
}
