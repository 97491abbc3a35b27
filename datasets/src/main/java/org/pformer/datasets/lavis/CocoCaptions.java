package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pformer.datasets.io.MalformedDataException;

/**
 * Reference captions in the COCO caption format used by the caption evaluator (COCO Karpathy {@code *_gt.json},
 * the official NoCaps {@code nocaps_val_4500_captions.json}): {@code {"images": [{"id", "file_name", "domain"?}],
 * "annotations": [{"image_id", "id", "caption"}]}}.
 */
public record CocoCaptions(List<Image> images, List<Annotation> annotations) {

    public CocoCaptions {
        images = List.copyOf(images);
        annotations = List.copyOf(annotations);
    }

    /** An image entry; {@code domain} only in NoCaps. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Image(long id, String fileName, NocapsDomain domain) {}

    /** One reference caption. */
    public record Annotation(long imageId, long id, String caption) {}

    /** The references of each image id, in file order. */
    public Map<Long, List<String>> referencesByImage() {
        Map<Long, List<String>> refs = new LinkedHashMap<>();
        images.forEach(i -> refs.put(i.id(), new ArrayList<>()));
        annotations.forEach(a -> refs.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a.caption()));
        return refs;
    }

    public static CocoCaptions read(Path file) throws IOException {
        List<Image> images = AnnotationFile.readAll(file, "images", r -> {
            NocapsDomain domain = NocapsDomain.optional(r, "domain");
            return new Image(r.integer("id"), r.optionalText("file_name"), domain);
        });
        java.util.Set<Long> ids = new java.util.HashSet<>();
        images.forEach(i -> ids.add(i.id()));
        List<Annotation> annotations = AnnotationFile.readAll(file, "annotations", r -> {
            long imageId = r.integer("image_id");
            if (!ids.contains(imageId)) {
                throw new MalformedDataException(file.toString(), "caption " + r.node().path("id").asText("?")
                        + " refers to image_id " + imageId + ", which is not in 'images'");
            }
            return new Annotation(imageId, r.has("id") ? r.integer("id") : -1, r.text("caption"));
        });
        return new CocoCaptions(images, annotations);
    }
}
