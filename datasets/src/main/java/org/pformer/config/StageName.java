package org.pformer.config;

/** The pipeline's stages, named as in the paper where it names them. */
public enum StageName {
    /** Shipped world only: generate the benchmark world and train its frozen backbones (the stand-ins for EVA ViT-g and OPT). */
    FOUNDATION("foundation"),
    /** Pipeline stage 1: sentence ingestion (cleaning, dedupe, tokenisation, shards). */
    INGEST("ingest"),
    /** Pipeline stage 2: P-Former pretraining (paper Eq. 4-5), called stage 0 in METHOD.md. */
    PFORMER("pformer"),
    /** BLIP-2 stage 1: representation learning + omega1 * alignment loss (paper Eq. 8). */
    STAGE1("stage1"),
    /** BLIP-2 stage 2: generative learning + omega2 * alignment loss (paper Eq. 9). */
    STAGE2("stage2"),
    EVAL_VQA("eval-vqa"),
    EVAL_CAPTION("eval-caption"),
    EVAL_RETRIEVAL("eval-retrieval");

    private final String id;

    StageName(String id) {
        this.id = id;
    }

    /** Stable identifier used in cache keys, MLflow run names and search attributes. */
    public String id() {
        return id;
    }

    public static StageName fromId(String id) {
        for (StageName s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stage '" + id + "'; expected one of foundation, ingest, pformer, "
                + "stage1, stage2, eval-vqa, eval-caption, eval-retrieval");
    }
}
