package org.pformer.model.pformer;

/** The two forms of L_contrast (METHOD.md, stage 0). */
public enum ContrastVariant {
    /** Paper: two dropout views of the same sentence are the positive pair, in-batch negatives (default). */
    SIMCSE,
    /** Reference code: one pass, logits z·stopgrad(z)ᵀ/temp against the own index, label smoothing 0.1. */
    SELF
}
