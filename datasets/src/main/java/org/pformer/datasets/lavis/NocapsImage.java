package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A NoCaps evaluation image in the LAVIS layout {@code {"image": "...", "img_id": 0, "domain": "near-domain"}}.
 * {@code domain} is optional (LAVIS's own nocaps_val.json lacks it; the official caption file carries it, see
 * {@link CocoCaptions}); an unknown domain label is an error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NocapsImage(String image, long imgId, NocapsDomain domain) {

    public static List<NocapsImage> read(Path file) throws IOException {
        return AnnotationFile.readAll(file, null, r -> {
            NocapsDomain domain = NocapsDomain.optional(r, "domain");
            return new NocapsImage(r.text("image"), r.integer("img_id"), domain);
        });
    }
}
