package org.pformer.datasets;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test fixtures under {@code src/test/resources/org/pformer/datasets/fixtures}. */
public final class Fixtures {

    private Fixtures() {}

    public static Path path(String name) {
        try {
            var url = Fixtures.class.getResource("fixtures/" + name);
            if (url == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
