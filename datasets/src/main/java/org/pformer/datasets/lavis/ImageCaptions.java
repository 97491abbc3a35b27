package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An evaluation image with its reference captions, in the LAVIS layout of COCO Karpathy val/test and Flickr30K:
 * {@code {"image": "...", "caption": ["...", "...", ...]}} (a single string is accepted as a one-caption list).
 */
public record ImageCaptions(String image, @JsonProperty("caption") List<String> captions) {

    public ImageCaptions {
        captions = List.copyOf(captions);
    }

    public static List<ImageCaptions> read(Path file) throws IOException {
        return AnnotationFile.readAll(file, null, r -> new ImageCaptions(r.text("image"), r.texts("caption")));
    }
}
