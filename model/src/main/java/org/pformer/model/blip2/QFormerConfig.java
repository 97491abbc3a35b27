package org.pformer.model.blip2;

import java.util.Objects;
import org.pformer.model.bert.BertConfig;

/**
 * The Q-Former of BLIP-2 (METHOD.md stage 1; LAVIS {@code Blip2Qformer}): a BERT whose layers cross-attend from Q
 * learned queries to the frozen image tokens every {@code crossAttentionEvery} layers and run the query positions
 * through their own FFN, plus the stage-1 heads and loss settings.
 *
 * @param bert the BERT layout, with query cross-attention (its {@code encoderWidth} is the vision width) and a
 *     vocabulary that contains [DEC]
 * @param numQuery Q, the number of learned query tokens (32)
 * @param embedDim width of {@code vision_proj}/{@code text_proj} (256)
 * @param decTokenId id of [DEC], which replaces [CLS] for image-grounded text generation (ITG)
 * @param temperatureInit initial ITC temperature (0.07)
 * @param temperatureMin lower clamp of the temperature (0.001)
 * @param temperatureMax upper clamp of the temperature (0.5)
 * @param itcLabelSmoothing label smoothing of ITC (0.1)
 * @param itgLabelSmoothing label smoothing of ITG (0.1)
 * @param visionLayerNormEps epsilon of the trainable {@code ln_vision} (PyTorch's LayerNorm default 1e-5)
 */
public record QFormerConfig(
        BertConfig bert,
        int numQuery,
        int embedDim,
        int decTokenId,
        double temperatureInit,
        double temperatureMin,
        double temperatureMax,
        double itcLabelSmoothing,
        double itgLabelSmoothing,
        double visionLayerNormEps) {

    public QFormerConfig {
        Objects.requireNonNull(bert, "bert");
        if (bert.crossAttentionEvery() <= 0 || !bert.queryFeedForward()) {
            throw new IllegalArgumentException("the Q-Former's BERT needs query cross-attention and the query FFN"
                    + " (BertConfig.withQueryCrossAttention); got " + bert);
        }
        if (numQuery <= 0 || embedDim <= 0) {
            throw new IllegalArgumentException("numQuery and embedDim must be > 0, got " + numQuery + ", " + embedDim);
        }
        if (decTokenId < 0 || decTokenId >= bert.vocabSize()) {
            throw new IllegalArgumentException("decTokenId " + decTokenId + " is outside the Q-Former vocabulary of "
                    + bert.vocabSize() + " word pieces (add [DEC] to the vocabulary)");
        }
        if (!(temperatureMin > 0 && temperatureMin <= temperatureInit && temperatureInit <= temperatureMax)) {
            throw new IllegalArgumentException("need 0 < temperatureMin <= temperatureInit <= temperatureMax");
        }
        for (double s : new double[] {itcLabelSmoothing, itgLabelSmoothing}) {
            if (!(s >= 0 && s < 1)) {
                throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + s);
            }
        }
        if (!(visionLayerNormEps > 0)) {
            throw new IllegalArgumentException("visionLayerNormEps must be > 0");
        }
    }

    /**
     * LAVIS's Q-Former on {@code bert-base-uncased}: 12 × 768, the vocabulary grown by one row for [DEC] (id
     * 30522), cross-attention every {@code crossAttentionEvery} (2) layers to tokens of {@code visionWidth}
     * (1408 for EVA ViT-g), 256-d contrastive heads.
     */
    public static QFormerConfig bertBase(int visionWidth, int numQuery, int crossAttentionEvery) {
        BertConfig base = BertConfig.bertBase();
        BertConfig bert = base.withVocabSize(base.vocabSize() + 1).withQueryCrossAttention(crossAttentionEvery,
                visionWidth);
        return defaults(bert, numQuery, base.vocabSize());
    }

    /** Paper defaults (256-d heads, temperature 0.07 in [0.001, 0.5], smoothing 0.1) around a given BERT layout. */
    public static QFormerConfig defaults(BertConfig bertWithCrossAttention, int numQuery, int decTokenId) {
        return new QFormerConfig(bertWithCrossAttention, numQuery, 256, decTokenId, 0.07, 0.001, 0.5, 0.1, 0.1,
                1e-5);
    }

    /** The hidden width of the Q-Former (768 for BERT-base). */
    public int hiddenSize() {
        return bert.hiddenSize();
    }

    /** The width of the frozen image tokens the queries attend to. */
    public int visionWidth() {
        return bert.encoderWidth();
    }
}
