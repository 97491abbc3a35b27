package org.pformer.metrics.retrieval;

/**
 * Image-text retrieval recall@1/5/10 in both directions. The two score matrices are separate, as in BLIP-2's
 * evaluation where each direction re-ranks its own top-k (images x texts for image-to-text, texts x images for
 * text-to-image). Feed either matrix in row blocks through {@link #imageToText} / {@link #textToImage}, or pass
 * whole matrices to {@link #evaluate}.
 *
 * <p>Ranks follow {@link RankAccumulator}: image to text counts the best rank among the image's captions; a tie
 * with a wrong candidate counts against the model.
 */
public final class RetrievalMetrics {
    private final int[][] textsOfImage;
    private final int[] imageOfText;
    private final RankAccumulator imageToText;
    private final RankAccumulator textToImage;

    /**
     * @param imageOfText for every text, the index of its one image; every image must have at least one text
     */
    public RetrievalMetrics(int images, int[] imageOfText) {
        if (images <= 0 || imageOfText.length == 0) {
            throw new IllegalArgumentException("retrieval needs at least one image and one text, got " + images
                    + " images and " + imageOfText.length + " texts");
        }
        this.imageOfText = imageOfText.clone();
        int[] count = new int[images];
        for (int t = 0; t < imageOfText.length; t++) {
            int img = imageOfText[t];
            if (img < 0 || img >= images) {
                throw new IllegalArgumentException("text " + t + " belongs to image " + img + ", outside 0.."
                        + (images - 1));
            }
            count[img]++;
        }
        textsOfImage = new int[images][];
        for (int i = 0; i < images; i++) {
            if (count[i] == 0) {
                throw new IllegalArgumentException("image " + i + " has no text (no ground-truth caption)");
            }
            textsOfImage[i] = new int[count[i]];
            count[i] = 0;
        }
        for (int t = 0; t < imageOfText.length; t++) {
            textsOfImage[imageOfText[t]][count[imageOfText[t]]++] = t;
        }
        int[][] single = new int[imageOfText.length][];
        for (int t = 0; t < imageOfText.length; t++) {
            single[t] = new int[] {imageOfText[t]};
        }
        imageToText = new RankAccumulator(imageOfText.length, textsOfImage);
        textToImage = new RankAccumulator(images, single);
    }

    /** Rows = images, columns = texts. */
    public RankAccumulator imageToText() {
        return imageToText;
    }

    /** Rows = texts, columns = images. */
    public RankAccumulator textToImage() {
        return textToImage;
    }

    /** The recalls, once every row of both matrices was added. */
    public RetrievalReport report() {
        return RetrievalReport.of(imageToText, textToImage, textsOfImage.length, imageOfText.length);
    }

    /** Whole-matrix convenience: {@code i2t} is images x texts, {@code t2i} texts x images. */
    public static RetrievalReport evaluate(float[][] i2t, float[][] t2i, int[] imageOfText) {
        RetrievalMetrics m = new RetrievalMetrics(i2t.length, imageOfText);
        m.imageToText().addRows(0, i2t);
        m.textToImage().addRows(0, t2i);
        return m.report();
    }
}
