package org.pformer.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.pformer.datasets.image.ChwImage;
import org.pformer.datasets.image.ImageLoader;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.image.RgbImage;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.train.CountingBatchSource;

/**
 * BLIP-2 stage 1-2 (and the world's CLIP-style vision training) batches over LAVIS image-caption pairs: an endless
 * sequence of epochs, each a seeded permutation of every pair ({@link EpochOrder}). Images are read from {@code
 * imageRoot.resolve(pair.image())} and preprocessed; with {@code trainAugment} the random crop of the example at
 * absolute position p uses a generator seeded from (seed, p) only, so a batch is a pure function of its position
 * and the cursor is just the number of pairs served. Captions go through LAVIS's {@code pre_caption} (the dataset's
 * text processor; a no-op on already clean captions) and are tokenised for the text side and, when an LLM tokenizer
 * is given, for the LLM. Decoded images are kept in a bounded LRU cache (by count).
 */
public final class PairBatchSource extends CountingBatchSource<ImageTextBatch> implements ImageTextBatchSource {

    /** Decoded images kept by default: a small world's images stay decoded, a web corpus's are bounded. */
    public static final int DEFAULT_IMAGE_CACHE = 4096;

    private final List<CaptionPair> pairs;
    private final Path imageRoot;
    private final ImagePreprocessor preprocessor;
    private final boolean trainAugment;
    private final PFormerTokenizer text;
    private final LlmTokenizer llm;
    private final long augmentationBase;
    private final EpochOrder order;
    private final BlipCaptionCleaner cleaner = new BlipCaptionCleaner();
    private final Map<Path, RgbImage> cache;

    /** As {@link #PairBatchSource(List, Path, ImagePreprocessor, boolean, PFormerTokenizer, LlmTokenizer, long, int)}
     *  with a cache of {@link #DEFAULT_IMAGE_CACHE} images. */
    public PairBatchSource(List<CaptionPair> pairs, Path imageRoot, ImagePreprocessor preprocessor,
            boolean trainAugment, PFormerTokenizer text, LlmTokenizer llm, long seed) {
        this(pairs, imageRoot, preprocessor, trainAugment, text, llm, seed, DEFAULT_IMAGE_CACHE);
    }

    /**
     * @param pairs the annotation list (copied)
     * @param imageRoot the directory the pairs' {@code image} paths are relative to
     * @param trainAugment RandomResizedCrop (+ flip where the preprocessor's options say so) instead of the eval
     *     resize
     * @param text tokenizer of the text side ({@code [CLS] … [SEP]})
     * @param llm tokenizer of the LLM ({@code </s> … "\n"}); null where the stage does not use the LLM
     * @param seed shuffling and augmentation seed
     * @param imageCache how many decoded images to keep (0: none)
     */
    public PairBatchSource(List<CaptionPair> pairs, Path imageRoot, ImagePreprocessor preprocessor,
            boolean trainAugment, PFormerTokenizer text, LlmTokenizer llm, long seed, int imageCache) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no image-caption pairs");
        }
        if (imageCache < 0) {
            throw new IllegalArgumentException("imageCache must be >= 0, got " + imageCache);
        }
        this.pairs = List.copyOf(pairs);
        this.imageRoot = Objects.requireNonNull(imageRoot, "imageRoot");
        this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
        this.trainAugment = trainAugment;
        this.text = Objects.requireNonNull(text, "text");
        this.llm = llm;
        this.augmentationBase = new SplittableRandom(seed ^ 0x5DEECE66DL).nextLong();
        this.order = new EpochOrder(this.pairs.size(), seed);
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, RgbImage> eldest) {
                return size() > imageCache;
            }
        };
    }

    /** Pairs per epoch. */
    public int size() {
        return pairs.size();
    }

    @Override
    public ImageTextBatch next(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        }
        long first = position();
        int[] indices = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            indices[i] = order.index(first + i);
        }
        ImageTextBatch batch = batch(indices, first);
        advance(batchSize); // only once the batch is built: a failed image leaves the cursor where it was
        return batch;
    }

    /**
     * The pairs in file order, {@code batchSize} at a time (the last batch may be smaller), eval preprocessing: for
     * held-out evaluation.
     */
    public static List<ImageTextBatch> evalBatches(List<CaptionPair> pairs, Path imageRoot, ImagePreprocessor p,
            PFormerTokenizer text, LlmTokenizer llm, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        }
        PairBatchSource source = new PairBatchSource(pairs, imageRoot, p, false, text, llm, 0L, batchSize);
        List<ImageTextBatch> out = new ArrayList<>();
        for (int from = 0; from < pairs.size(); from += batchSize) {
            int[] indices = new int[Math.min(batchSize, pairs.size() - from)];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = from + i;
            }
            out.add(source.batch(indices, from));
        }
        return out;
    }

    /** The batch of pairs {@code indices}, the first served at absolute position {@code firstPosition}. */
    private ImageTextBatch batch(int[] indices, long firstPosition) {
        int n = indices.length;
        float[][] pixels = new float[n][];
        List<String> captions = new ArrayList<>(n);
        List<String> imageIds = new ArrayList<>(n);
        int size = preprocessor.options().imageSize();
        for (int i = 0; i < n; i++) {
            CaptionPair pair = pairs.get(indices[i]);
            RgbImage image = image(indices[i]);
            ChwImage chw = trainAugment ? preprocessor.train(image, augmentation(firstPosition + i))
                    : preprocessor.eval(image);
            if (chw.channels() != 3 || chw.height() != size || chw.width() != size) {
                throw new IllegalStateException("preprocessor produced " + chw.channels() + "x" + chw.height() + "x"
                        + chw.width() + ", expected 3x" + size + "x" + size);
            }
            pixels[i] = chw.data();
            captions.add(cleaner.clean(pair.caption()));
            // image_id is optional in LAVIS lists; the image path then identifies the image.
            imageIds.add(pair.imageId() != null ? pair.imageId() : pair.image());
        }
        return new ImageTextBatch(pixels, 3, size, size, Padding.right(text.encodeBatch(captions), text.padId()),
                llm == null ? null : Padding.right(llm.encodeCaptions(captions), llm.padId()), captions, imageIds);
    }

    /** The augmentation generator of the example at absolute position {@code position}: f(seed, position) only. */
    private SplittableRandom augmentation(long position) {
        // An odd multiplier other than SplittableRandom's own gamma, so neighbouring positions do not get shifted
        // copies of one stream; the base is distinct from the shuffling generator's seeds.
        return new SplittableRandom(augmentationBase ^ (position * 0xD1B54A32D192ED03L));
    }

    private RgbImage image(int index) {
        CaptionPair pair = pairs.get(index);
        Path file = imageRoot.resolve(pair.image());
        RgbImage image = cache.get(file);
        if (image == null) {
            try {
                image = ImageLoader.load(file);
            } catch (IOException e) {
                throw new UncheckedIOException("image " + file + " of annotation " + index + " (image '"
                        + pair.image() + "', caption '" + pair.caption() + "') cannot be loaded: " + e.getMessage(),
                        e);
            }
            cache.put(file, image);
        }
        return image;
    }
}
