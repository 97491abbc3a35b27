package org.pformer.activities;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pformer.config.DataConfig;
import org.pformer.datasets.image.ImageLoader;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.lavis.CaptionPair;

/**
 * The pre-flight check of the pretraining pairs ({@code data.pairs}): every annotation list parses and every image
 * it names exists and has an image header a decoder recognises ({@link ImageLoader#probe}: the header only, not the
 * pixels). A file that is not an image is then an error before any stage has spent training time, naming the
 * annotation list, the pair and the image, rather than a failure at the first batch that holds it.
 */
final class PairImagesCheck {

    private PairImagesCheck() {}

    /** A problem with one input, worded for the user: which list, which entry, what was expected. */
    static final class BadPairs extends RuntimeException {
        BadPairs(String message) {
            super(message);
        }
    }

    /**
     * Checks every list of {@code data.pairs}; returns how many distinct images were checked.
     *
     * @throws BadPairs an annotation list that does not parse, or an image that is missing or not an image
     */
    static int check(List<DataConfig.ImageAnnotations> lists) {
        int checked = 0;
        for (int i = 0; i < lists.size(); i++) {
            DataConfig.ImageAnnotations a = lists.get(i);
            String where = "data.pairs[" + i + "]";
            Map<String, Integer> firstPair = new LinkedHashMap<>(); // image -> the first pair naming it
            try {
                int[] pair = {0};
                CaptionPair.forEach(Path.of(a.annotations()), p -> firstPair.putIfAbsent(p.image(), pair[0]++));
            } catch (IOException e) {
                throw new BadPairs(where + ": cannot read the annotation list: " + e.getMessage());
            }
            Path root = Path.of(a.images());
            List<Map.Entry<String, Integer>> images = new ArrayList<>(firstPair.entrySet());
            // header reads are I/O bound: probe in parallel, report the first bad image in list order
            Optional<String> problem = images.parallelStream().map(e -> problem(root, e.getKey()).map(p ->
                    where + ": pair " + e.getValue() + " of " + a.annotations() + " names image '" + e.getKey()
                            + "': " + p)).flatMap(Optional::stream).findFirst();
            if (problem.isPresent()) {
                throw new BadPairs(problem.get());
            }
            checked += images.size();
        }
        return checked;
    }

    private static Optional<String> problem(Path root, String image) {
        try {
            ImageLoader.probe(root.resolve(image));
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.of("no such file " + e.getFile() + " (expected the image under " + root + ")");
        } catch (MalformedDataException e) {
            return Optional.of(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + root.resolve(image), e);
        }
    }
}
