package org.pformer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locations of the committed parity fixtures and small comparison helpers shared by the tests. */
public final class Fixtures {

    private Fixtures() {}

    /** {@code model/src/test/fixtures/parity} (surefire runs with the module directory as working directory). */
    public static Path parity(String relative) {
        Path p = Path.of("src", "test", "fixtures", "parity").resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing fixture " + p.toAbsolutePath()
                    + " (regenerate with src/test/fixtures/parity/make_fixtures.py)");
        }
        return p;
    }

    /** max |a − b| over all elements, computed in FLOAT32. */
    public static float maxAbsDiff(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new AssertionError("shape " + a.getShape() + " vs " + b.getShape());
        }
        return a.toType(DataType.FLOAT32, false).sub(b.toType(DataType.FLOAT32, false)).abs().max().getFloat();
    }
}
