package org.pformer.model.foundation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which texts describe which images in a set of image-caption pairs: text t is a ground truth of image g when it
 * was paired with g, or when its caption is identical to one of g's captions (a synthetic world repeats captions
 * across images; counting such a repeat as wrong would punish retrieving a correct description).
 */
final class GroundTruth {

    private final List<String> imageIds;
    private final List<String> captions;
    private final Map<String, Set<String>> captionsOfImage = new HashMap<>();

    GroundTruth(List<String> imageIds, List<String> captions) {
        if (imageIds.size() != captions.size()) {
            throw new IllegalArgumentException(imageIds.size() + " image ids but " + captions.size() + " captions");
        }
        this.imageIds = List.copyOf(imageIds);
        this.captions = List.copyOf(captions);
        for (int i = 0; i < imageIds.size(); i++) {
            captionsOfImage.computeIfAbsent(imageIds.get(i), k -> new HashSet<>()).add(captions.get(i));
        }
    }

    int size() {
        return imageIds.size();
    }

    /** Whether text number {@code text} (its caption, its pair's image) describes image {@code imageId}. */
    boolean describes(int text, String imageId) {
        return imageIds.get(text).equals(imageId)
                || captionsOfImage.getOrDefault(imageId, Set.of()).contains(captions.get(text));
    }
}
