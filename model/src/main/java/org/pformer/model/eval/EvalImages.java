package org.pformer.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.pformer.datasets.image.ChwImage;
import org.pformer.datasets.image.ImageLoader;
import org.pformer.datasets.image.ImagePreprocessor;

/** Evaluation images: loaded from disk, run through the eval transform, stacked into a (B, C, S, S) batch. */
final class EvalImages {

    /** An image file and what refers to it (for error messages), e.g. "question 17 of questions.json". */
    record Ref(Path file, String owner) {}

    private final ImagePreprocessor preprocessor;

    EvalImages(ImagePreprocessor preprocessor) {
        this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    }

    /** Resolves {@code relative} (an annotation's image field) against {@code root}. */
    static Path resolve(Path root, String relative) {
        return root.resolve(relative);
    }

    /** Fails naming the first missing image, before any model work is done. */
    static void requireAll(List<Ref> refs) throws NoSuchFileException {
        for (Ref r : refs) {
            if (!Files.isRegularFile(r.file())) {
                throw new NoSuchFileException(r.file().toString(), null, "image of " + r.owner() + " not found");
            }
        }
    }

    /** The images as one float32 (B, C, S, S) array in {@code manager}. */
    NDArray pixels(NDManager manager, List<Ref> refs) throws IOException {
        int s = preprocessor.options().imageSize();
        int per = 3 * s * s;
        float[] flat = new float[refs.size() * per];
        for (int i = 0; i < refs.size(); i++) {
            Ref r = refs.get(i);
            ChwImage img;
            try {
                img = preprocessor.eval(ImageLoader.load(r.file()));
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(r.file().toString(), null, "image of " + r.owner() + " not found");
            }
            if (img.data().length != per) {
                throw new IllegalStateException(r.file() + ": preprocessed to " + img.channels() + "x" + img.height()
                        + "x" + img.width() + ", expected 3x" + s + "x" + s);
            }
            System.arraycopy(img.data(), 0, flat, i * per, per);
        }
        return manager.create(flat, new Shape(refs.size(), 3, s, s));
    }
}
