package org.pformer.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.pformer.config.EvalConfig;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.lavis.ImageCaptions;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.metrics.retrieval.RankAccumulator;
import org.pformer.metrics.retrieval.RetrievalMetrics;
import org.pformer.model.blip2.Blip2Stage1;

/**
 * Zero-shot image–text retrieval with BLIP-2 stage 1 (METHOD.md "Evaluation"; LAVIS {@code compute_sim_matrix}):
 * captions cleaned as LAVIS {@code pre_caption} and tokenised to 35; ITC similarity (max over queries of the
 * cosine, not divided by the temperature) for every image–text pair; for each image its top-k texts and for each
 * text its top-k images re-scored as ITM positive logit + ITC cosine; R@1/5/10 both ways.
 *
 * <p>Memory: image tokens (for ITM), query features and text features stay on the model's device for the whole
 * evaluation, as in LAVIS; the similarity matrices never exist whole: rows are processed in blocks of
 * {@link Options#blockRows()}, each block's ITM pairs (at most block × k) scored {@link Options#batchSize()} at a
 * time. Ties are broken deterministically ({@link RetrievalReranking}). The model is switched to eval mode
 * (no dropout). Not thread-safe.
 */
public final class RetrievalEvaluator {

    /**
     * @param kTest candidates re-ranked by ITM per query (LAVIS {@code k_test}, 128), capped at the gallery size
     * @param maxTextLength text length in tokens (35); the tokenizer must be loaded with it
     * @param batchSize images / texts per encoder batch and ITM pairs per forward pass
     * @param blockRows query rows of the similarity matrices held at once
     */
    public record Options(int kTest, int maxTextLength, int batchSize, int blockRows) {
        /** Rows per block: 256 × 25k texts of ITC scores is 25 MiB on the Java side. */
        public static final int DEFAULT_BLOCK_ROWS = 256;

        public Options {
            if (kTest < 1 || batchSize < 1 || blockRows < 1 || maxTextLength < 2) {
                throw new IllegalArgumentException("need kTest, batchSize, blockRows >= 1 and maxTextLength >= 2, got "
                        + kTest + ", " + batchSize + ", " + blockRows + ", " + maxTextLength);
            }
        }

        /** METHOD.md: k = 128, texts of 35 tokens; batches of 64, blocks of 256 rows. */
        public static Options defaults() {
            return new Options(128, PFormerTokenizer.RETRIEVAL_TEXT_TOKENS, 64, DEFAULT_BLOCK_ROWS);
        }

        /** The pipeline configuration's {@code eval.retrieval}, in blocks of {@value #DEFAULT_BLOCK_ROWS} rows. */
        public static Options of(EvalConfig.Retrieval c) {
            return new Options(c.kTest(), c.maxTextLen(), c.batchSize(), DEFAULT_BLOCK_ROWS);
        }
    }

    /**
     * @param annotations {@code [{"image", "caption": [...]}]} (LAVIS retrieval test layout)
     * @param imageRoot the directory {@code image} fields are relative to
     */
    public record RetrievalFiles(Path annotations, Path imageRoot) {}

    private static final String TASK = "retrieval";

    private final Blip2Stage1 model;
    private final PFormerTokenizer tokenizer;
    private final EvalImages images;
    private final Options options;
    private final BlipCaptionCleaner cleaner = new BlipCaptionCleaner();

    public RetrievalEvaluator(Blip2Stage1 model, PFormerTokenizer tokenizer, ImagePreprocessor preprocessor,
            Options options) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.images = new EvalImages(preprocessor);
        this.options = Objects.requireNonNull(options, "options");
        if (tokenizer.maxLength() != options.maxTextLength()) {
            throw new IllegalArgumentException("the retrieval tokenizer truncates to " + tokenizer.maxLength()
                    + " tokens but the evaluation wants " + options.maxTextLength() + "; load it with that length");
        }
        if (tokenizer.vocabSize() > model.config().bert().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " word pieces but the Q-Former's vocabulary only " + model.config().bert().vocabSize());
        }
    }

    /** The device-resident encodings of the whole test set. */
    private record Gallery(NDArray imageEmbeds, NDArray imageFeatures, NDArray textFeatures, long[][] textIds) {}

    /**
     * Evaluates retrieval on one test set and writes the {@link RetrievalEvalReport}.
     *
     * @param progress called after each batch with (done, total), where total = 2 × (images + texts): encoding
     *     every image and text, then re-ranking every image row and every text row
     */
    public RetrievalEvalReport evaluate(RetrievalFiles files, Path report, EvalProgress progress) throws IOException {
        EvalFiles.requireFile(files.annotations(), "retrieval annotations");
        List<ImageCaptions> list = ImageCaptions.read(files.annotations());
        if (list.isEmpty()) {
            throw new MalformedDataException(files.annotations().toString(), "no images in the list");
        }
        List<EvalImages.Ref> refs = new ArrayList<>(list.size());
        List<String> texts = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ImageCaptions ic = list.get(i); // the reader rejects an empty caption list, naming the record
            refs.add(new EvalImages.Ref(EvalImages.resolve(files.imageRoot(), ic.image()),
                    "entry " + i + " of " + files.annotations()));
            for (String c : ic.captions()) {
                texts.add(cleaner.clean(c));
                owner.add(i);
            }
        }
        EvalImages.requireAll(refs);
        int nImages = refs.size();
        int nTexts = texts.size();
        long total = 2L * (nImages + nTexts);
        RetrievalMetrics metrics = new RetrievalMetrics(nImages, owner.stream().mapToInt(Integer::intValue).toArray());

        model.eval();
        NDManager parent = model.namedParameters().values().iterator().next().array().getManager();
        int kI2t;
        int kT2i;
        try (NDManager keep = parent.newSubManager()) {
            Gallery g = encode(keep, refs, texts, progress, total);
            long done = nImages + nTexts;
            int[] k = new int[2];
            // image → text: rows = images, candidates = texts
            Batches.run(TASK, nImages, options.blockRows(), done, total, progress, (from, to) -> {
                float[][] itc = itcRows(g, false, from, to);
                k[0] = RetrievalReranking.rerankBlock(itc, from, options.kTest(), options.batchSize(),
                        (imgs, txts) -> itm(g, imgs, txts), metrics.imageToText());
            });
            done += nImages;
            // text → image: rows = texts, candidates = images
            Batches.run(TASK, nTexts, options.blockRows(), done, total, progress, (from, to) -> {
                float[][] itc = itcRows(g, true, from, to);
                k[1] = RetrievalReranking.rerankBlock(itc, from, options.kTest(), options.batchSize(),
                        (txts, imgs) -> itm(g, imgs, txts), metrics.textToImage());
            });
            kI2t = k[0];
            kT2i = k[1];
        }
        RetrievalEvalReport out = new RetrievalEvalReport(TASK, metrics.report(), options.kTest(), kI2t, kT2i,
                RetrievalEvalReport.TIE_BREAKING);
        EvalFiles.write(report, out);
        return out;
    }

    /** Encodes every text and image (batched), keeping the results in {@code keep}. */
    private Gallery encode(NDManager keep, List<EvalImages.Ref> refs, List<String> texts, EvalProgress progress,
            long total) throws IOException {
        long[][] textIds = new long[texts.size()][];
        NDList textParts = new NDList();
        Batches.run(TASK, texts.size(), options.batchSize(), 0, total, progress, (from, to) -> {
            int[][] ids = tokenizer.encodeBatch(texts.subList(from, to));
            for (int i = 0; i < ids.length; i++) {
                textIds[from + i] = Arrays.stream(ids[i]).asLongStream().toArray();
            }
            try (NDManager m = keep.newSubManager(); NDScope scope = new NDScope()) {
                long[][][] padded = padded(Arrays.copyOfRange(textIds, from, to));
                NDArray feats = model.encodeText(m.create(padded[0]), m.create(padded[1]));
                textParts.add(kept(feats, keep));
            }
        });
        NDList embedParts = new NDList();
        NDList featureParts = new NDList();
        Batches.run(TASK, refs.size(), options.batchSize(), texts.size(), total, progress, (from, to) -> {
            try (NDManager m = keep.newSubManager(); NDScope scope = new NDScope()) {
                Blip2Stage1.ImageEncoding enc = model.encodeImage(images.pixels(m, refs.subList(from, to)));
                embedParts.add(kept(enc.imageEmbeds(), keep));
                featureParts.add(kept(enc.features(), keep));
            }
        });
        return new Gallery(joined(embedParts, keep), joined(featureParts, keep), joined(textParts, keep), textIds);
    }

    /** Moves an array computed inside a batch scope into {@code keep}, so that it outlives the batch. */
    private static NDArray kept(NDArray a, NDManager keep) {
        NDScope.unregister(a);
        a.attach(keep);
        return a;
    }

    private static NDArray joined(NDList parts, NDManager keep) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray all = NDArrays.concat(parts, 0);
        all.attach(keep);
        parts.close();
        return all;
    }

    /**
     * Rows {@code from .. to} of one direction's ITC matrix as Java arrays: image rows against every text, or
     * ({@code textRows}) text rows against every image.
     */
    private static float[][] itcRows(Gallery g, boolean textRows, int from, int to) {
        float[] flat;
        long rows;
        long cols;
        try (NDScope scope = new NDScope()) {
            NDIndex block = new NDIndex("{}:{}", from, to);
            NDArray sim = textRows
                    ? Blip2Stage1.itcSimilarity(g.imageFeatures(), g.textFeatures().get(block)).transpose()
                    : Blip2Stage1.itcSimilarity(g.imageFeatures().get(block), g.textFeatures());
            rows = sim.getShape().get(0);
            cols = sim.getShape().get(1);
            flat = sim.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        }
        float[][] out = new float[(int) rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, (int) (r * cols), (int) ((r + 1) * cols));
        }
        return out;
    }

    /** ITM positive logits of (image, text) pairs. */
    private float[] itm(Gallery g, int[] imageIdx, int[] textIdx) {
        long[][] ids = new long[textIdx.length][];
        for (int i = 0; i < textIdx.length; i++) {
            ids[i] = g.textIds()[textIdx[i]];
        }
        NDManager parent = g.imageEmbeds().getManager();
        try (NDManager m = parent.newSubManager(); NDScope scope = new NDScope()) {
            NDArray embeds = g.imageEmbeds().get(m.create(Arrays.stream(imageIdx).asLongStream().toArray()));
            long[][][] padded = padded(ids);
            return model.itmPositiveLogit(embeds, m.create(padded[0]), m.create(padded[1]))
                    .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** Right-padded ids and their mask, to the longest row. */
    private long[][][] padded(long[][] rows) {
        int length = Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(0);
        long[][] ids = new long[rows.length][length];
        long[][] mask = new long[rows.length][length];
        for (int i = 0; i < rows.length; i++) {
            Arrays.fill(ids[i], tokenizer.padId());
            System.arraycopy(rows[i], 0, ids[i], 0, rows[i].length);
            Arrays.fill(mask[i], 0, rows[i].length, 1);
        }
        return new long[][][] {ids, mask};
    }
}
