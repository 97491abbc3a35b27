package org.pformer.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pformer.datasets.image.ChwImage;
import org.pformer.datasets.image.ImageLoader;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.image.RgbImage;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.TokenBatch;

/**
 * BLIP-2 (and CLIP) training batches over LAVIS image-caption pairs: an endless sequence of epochs, each a seeded
 * permutation of the pairs; images decoded from {@code imageRoot}, preprocessed (training augmentation with an RNG
 * drawn from (seed, position), so a batch is a pure function of its position), captions tokenised for the text side
 * and optionally for the LLM. Decoded images are kept in a bounded LRU cache.
 */
public final class PairBatchSource extends CountingBatchSource<ImageTextBatch> implements ImageTextBatchSource {

    public static final int DEFAULT_CACHE_IMAGES = 4096;

    private final List<CaptionPair> pairs;
    private final Path imageRoot;
    private final ImagePreprocessor preprocessor;
    private final boolean trainAugment;
    private final PFormerTokenizer text;
    private final LlmTokenizer llm;
    private final long seed;
    private final EpochOrder order;
    private final Map<String, RgbImage> cache;

    /**
     * @param llm the LLM tokenizer, or null when the stage does not feed the LLM
     */
    public PairBatchSource(List<CaptionPair> pairs, Path imageRoot, ImagePreprocessor preprocessor,
            boolean trainAugment, PFormerTokenizer text, LlmTokenizer llm, long seed) {
        this(pairs, imageRoot, preprocessor, trainAugment, text, llm, seed, DEFAULT_CACHE_IMAGES);
    }

    public PairBatchSource(List<CaptionPair> pairs, Path imageRoot, ImagePreprocessor preprocessor,
            boolean trainAugment, PFormerTokenizer text, LlmTokenizer llm, long seed, int cacheImages) {
        this.pairs = List.copyOf(pairs);
        this.imageRoot = imageRoot;
        this.preprocessor = preprocessor;
        this.trainAugment = trainAugment;
        this.text = text;
        this.llm = llm;
        this.seed = seed;
        this.order = new EpochOrder(this.pairs.size(), seed);
        this.cache = lru(cacheImages);
    }

    private static Map<String, RgbImage> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RgbImage> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Pairs per epoch. */
    public int size() {
        return pairs.size();
    }

    @Override
    public ImageTextBatch next(int batchSize) {
        List<CaptionPair> batch = new ArrayList<>(batchSize);
        List<ChwImage> images = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            long position = advance(1);
            CaptionPair p = pairs.get(order.at(position));
            RgbImage img = image(p);
            images.add(trainAugment ? preprocessor.train(img, new SplittableRandom(seed ^ (position * 0x9E3779B97F4A7C15L)))
                    : preprocessor.eval(img));
            batch.add(p);
        }
        return assemble(batch, images, text, llm);
    }

    private RgbImage image(CaptionPair p) {
        RgbImage img = cache.get(p.image());
        if (img == null) {
            img = load(imageRoot, p);
            cache.put(p.image(), img);
        }
        return img;
    }

    private static RgbImage load(Path imageRoot, CaptionPair p) {
        Path file = imageRoot.resolve(p.image());
        try {
            return ImageLoader.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException(new MalformedDataException(file.toString(), "image of the pair (image '"
                    + p.image() + "', caption '" + p.caption() + "') cannot be read: " + e.getMessage(), e));
        }
    }

    private static ImageTextBatch assemble(List<CaptionPair> batch, List<ChwImage> images, PFormerTokenizer text,
            LlmTokenizer llm) {
        List<String> captions = batch.stream().map(CaptionPair::caption).toList();
        float[][] pixels = new float[images.size()][];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = images.get(i).data();
        }
        ChwImage first = images.get(0);
        TokenBatch t = TokenBatches.rightPad(text.encodeBatch(captions), text.padId());
        TokenBatch l = llm == null ? null : TokenBatches.rightPad(llm.encodeCaptions(captions), llm.padId());
        return new ImageTextBatch(pixels, first.channels(), first.height(), first.width(), t, l, captions,
                batch.stream().map(CaptionPair::imageId).toList());
    }

    /** The pairs in file order, {@code batchSize} at a time, without augmentation: for evaluation. */
    public static List<ImageTextBatch> evalBatches(List<CaptionPair> pairs, Path imageRoot, ImagePreprocessor p,
            PFormerTokenizer text, LlmTokenizer llm, int batchSize) {
        List<ImageTextBatch> out = new ArrayList<>();
        for (int from = 0; from < pairs.size(); from += batchSize) {
            List<CaptionPair> part = pairs.subList(from, Math.min(pairs.size(), from + batchSize));
            out.add(assemble(part, part.stream().map(q -> p.eval(load(imageRoot, q))).toList(), text, llm));
        }
        return out;
    }
}
