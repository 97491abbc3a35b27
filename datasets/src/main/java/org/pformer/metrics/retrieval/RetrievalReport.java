package org.pformer.metrics.retrieval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Recall@K in percent, named as LAVIS's retrieval task reports them: {@code txt_r*} is image-to-text retrieval
 * (for each image, is one of its captions in the top K), {@code img_r*} text-to-image, {@code *_r_mean} the mean of
 * the three, {@code r_mean} the mean of the two means.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RetrievalReport(int images, int texts, double txtR1, double txtR5, double txtR10, double txtRMean,
        double imgR1, double imgR5, double imgR10, double imgRMean, double rMean) {

    static RetrievalReport of(RankAccumulator imageToText, RankAccumulator textToImage, int images, int texts) {
        double t1 = imageToText.recallAt(1);
        double t5 = imageToText.recallAt(5);
        double t10 = imageToText.recallAt(10);
        double i1 = textToImage.recallAt(1);
        double i5 = textToImage.recallAt(5);
        double i10 = textToImage.recallAt(10);
        double tMean = (t1 + t5 + t10) / 3;
        double iMean = (i1 + i5 + i10) / 3;
        return new RetrievalReport(images, texts, t1, t5, t10, tMean, i1, i5, i10, iMean, (tMean + iMean) / 2);
    }
}
