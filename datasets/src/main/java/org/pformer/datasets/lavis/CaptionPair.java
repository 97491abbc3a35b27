package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * One image–text pair of a pretraining set in the LAVIS layout (COCO Karpathy train, Visual Genome, CC3M, SBU):
 * {@code {"image": "path/relative/to/the/image/root.jpg", "caption": "...", "image_id": "..."}}.
 * {@code image_id} is optional. A record whose {@code caption} is a list yields one pair per caption.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptionPair(String image, String caption, String imageId) {

    /** Streams the pairs of a LAVIS pretraining annotation list (bounded memory). */
    public static void forEach(Path file, Consumer<CaptionPair> consumer) throws IOException {
        AnnotationFile.forEach(file, r -> {
            String image = r.text("image");
            String imageId = r.optionalId("image_id");
            for (String c : r.texts("caption")) {
                consumer.accept(new CaptionPair(image, c, imageId));
            }
        });
    }

    public static List<CaptionPair> read(Path file) throws IOException {
        List<CaptionPair> out = new java.util.ArrayList<>();
        forEach(file, out::add);
        return out;
    }

}
