package org.pformer.datasets.world;

/**
 * How much of the world to generate. {@code tiny} is for unit tests (a couple of seconds), {@code default} for the
 * CPU demo (the whole pipeline in about 15 minutes on 2 cores), {@code large} for GPU runs.
 *
 * @param pairImages images of the paired pretraining set (paired-seen concepts only)
 * @param captionsPerPair caption entries per pretraining image (COCO has 5)
 * @param webImages images of the vision encoder's web set (all concepts)
 * @param sentences lines of the sentence corpus (captions, facts, descriptions; all concepts)
 * @param qaPassages text-only "description. Question: … Short answer: …" passages for the world's LLM
 * @param vqaImages VQAv2-like test images (3 questions each)
 * @param okvqaImages OK-VQA-like test images (2 questions each)
 * @param gqaImages GQA-like test images (2 questions each)
 * @param nocapsPerDomain NoCaps-like test images per domain (10 reference captions each)
 * @param cocoImages COCO-Karpathy-like caption test images (in-domain, 5 references each)
 * @param retrievalImages retrieval test images (5 captions each)
 */
public record WorldSize(
        String name,
        int pairImages,
        int captionsPerPair,
        int webImages,
        int sentences,
        int qaPassages,
        int vqaImages,
        int okvqaImages,
        int gqaImages,
        int nocapsPerDomain,
        int cocoImages,
        int retrievalImages) {

    public static final int VQA_QUESTIONS_PER_IMAGE = 3;
    public static final int OKVQA_QUESTIONS_PER_IMAGE = 2;
    public static final int GQA_QUESTIONS_PER_IMAGE = 2;
    public static final int NOCAPS_REFERENCES = 10;
    public static final int COCO_REFERENCES = 5;
    public static final int RETRIEVAL_CAPTIONS = 5;

    public static final WorldSize TINY = new WorldSize("tiny", 40, 2, 80, 600, 200, 12, 8, 10, 6, 6, 10);
    public static final WorldSize DEFAULT = new WorldSize("default", 3000, 2, 6000, 40_000, 12_000, 200, 150, 200,
            100, 100, 200);
    public static final WorldSize LARGE = new WorldSize("large", 40_000, 2, 100_000, 600_000, 150_000, 2000, 1000,
            2000, 500, 1000, 1000);

    public static WorldSize named(String name) {
        return switch (name) {
            case "tiny" -> TINY;
            case "default" -> DEFAULT;
            case "large" -> LARGE;
            default -> throw new IllegalArgumentException("unknown world size '" + name
                    + "': expected tiny, default or large");
        };
    }
}
