package org.pformer.model.pformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pformer.datasets.lavis.ImageCaptions;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.data.Padding;
import org.pformer.model.train.TokenBatch;

/**
 * A sentence-similarity check of the P-Former's [CLS] space: given sentences labelled by meaning (paraphrases
 * share a group), compares the cosine similarity of paraphrase pairs with that of unrelated pairs. Runs in eval
 * mode without gradient and restores the module's mode afterwards.
 */
public final class SentenceSimilarity {

    /**
     * @param paraphraseCosine mean cosine over pairs in the same group
     * @param unrelatedCosine mean cosine over pairs in different groups
     * @param nearestIsParaphrase fraction of sentences whose nearest other sentence is a paraphrase
     */
    public record Report(double paraphraseCosine, double unrelatedCosine, double nearestIsParaphrase) {

        /** paraphraseCosine − unrelatedCosine: positive when paraphrases are closer than unrelated sentences. */
        public double margin() {
            return paraphraseCosine - unrelatedCosine;
        }

        public Map<String, Double> asMetrics() {
            return Map.of("cls_paraphrase_cosine", paraphraseCosine, "cls_unrelated_cosine", unrelatedCosine,
                    "cls_paraphrase_margin", margin(), "cls_nearest_is_paraphrase", nearestIsParaphrase);
        }
    }

    /** Encoder-tokenised probe sentences and the meaning group of each. */
    public record Probe(TokenBatch sentences, int[] groups) {}

    private SentenceSimilarity() {}

    /**
     * A probe from caption sets where each image's captions are paraphrases of one another (COCO Karpathy / Flickr
     * test, the world's retrieval set): the first {@code maxImages} images with at least two distinct cleaned
     * captions, each caption cleaned as LAVIS {@code pre_caption} and tokenised as the P-Former reads sentences.
     */
    public static Probe probe(List<ImageCaptions> images, int maxImages, PFormerTokenizer tokenizer) {
        BlipCaptionCleaner cleaner = new BlipCaptionCleaner();
        List<String> texts = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        int group = 0;
        for (ImageCaptions image : images) {
            if (group == maxImages) {
                break;
            }
            List<String> captions = image.captions().stream().map(cleaner::clean).filter(c -> !c.isEmpty())
                    .distinct().toList();
            if (captions.size() < 2) {
                continue;
            }
            for (String c : captions) {
                texts.add(c);
                groups.add(group);
            }
            group++;
        }
        if (group < 2) {
            throw new IllegalArgumentException("a sentence-similarity probe needs two or more images with two or "
                    + "more distinct captions each; found " + group + " among " + images.size() + " images");
        }
        return new Probe(Padding.right(tokenizer.encodeBatch(texts), tokenizer.padId()),
                groups.stream().mapToInt(Integer::intValue).toArray());
    }

    /** {@link #evaluate(PFormer, TokenBatch, int[], NDManager)} on a probe. */
    public static Report evaluate(PFormer pformer, Probe probe, NDManager manager) {
        return evaluate(pformer, probe.sentences(), probe.groups(), manager);
    }

    /**
     * @param sentences encoder-tokenised sentences (N, L)
     * @param groups group id per sentence; every group must have at least two sentences and there must be at
     *     least two groups
     */
    public static Report evaluate(PFormer pformer, TokenBatch sentences, int[] groups, NDManager manager) {
        if (groups.length != sentences.size()) {
            throw new IllegalArgumentException(groups.length + " group ids for " + sentences.size() + " sentences");
        }
        boolean wasTraining = pformer.isTraining();
        pformer.eval();
        float[] cosines;
        try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray h = pformer.cls(sentences.idsArray(m), sentences.maskArray(m)).normalize(2, 1, 1e-12);
            cosines = h.matMul(h.transpose()).toFloatArray();
        } finally {
            if (wasTraining) {
                pformer.train();
            }
        }
        return fromCosines(cosines, groups);
    }

    /** The report for a row-major (N, N) cosine matrix and group ids. */
    static Report fromCosines(float[] cosines, int[] groups) {
        int n = groups.length;
        double same = 0;
        double different = 0;
        long sameCount = 0;
        long differentCount = 0;
        int nearestHits = 0;
        for (int i = 0; i < n; i++) {
            int best = -1;
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double c = cosines[i * n + j];
                if (groups[i] == groups[j]) {
                    same += c;
                    sameCount++;
                } else {
                    different += c;
                    differentCount++;
                }
                if (best < 0 || c > cosines[i * n + best]) {
                    best = j;
                }
            }
            if (groups[best] == groups[i]) {
                nearestHits++;
            }
        }
        if (sameCount == 0 || differentCount == 0) {
            throw new IllegalArgumentException("need at least two groups and a group with two or more sentences");
        }
        return new Report(same / sameCount, different / differentCount, (double) nearestHits / n);
    }
}
