package org.pformer.metrics.caption;

/** The caption metrics, named as the COCO caption evaluator's result keys. */
public enum CaptionMetric {
    BLEU_1("Bleu_1"),
    BLEU_2("Bleu_2"),
    BLEU_3("Bleu_3"),
    BLEU_4("Bleu_4"),
    METEOR("METEOR"),
    ROUGE_L("ROUGE_L"),
    CIDER("CIDEr"),
    SPICE("SPICE");

    private final String key;

    CaptionMetric(String key) {
        this.key = key;
    }

    /** The key pycocoevalcap uses for this metric ({@code Bleu_4}, {@code CIDEr}, ...). */
    public String key() {
        return key;
    }
}
