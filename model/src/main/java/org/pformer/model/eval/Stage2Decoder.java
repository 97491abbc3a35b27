package org.pformer.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.model.blip2.Blip2Stage2;
import org.pformer.model.generate.Generated;
import org.pformer.model.generate.GenerationConfig;
import org.pformer.model.train.TokenBatch;

/**
 * Zero-shot text generation with BLIP-2 stage 2 (LAVIS {@code Blip2OPT.generate} / {@code predict_answers}): images
 * → soft prompt, then the left-padded text prompt ({@code BOS + tokens(prompt)}), then beam search until the "\n"
 * token; the output is decoded without special tokens and stripped, as LAVIS does.
 */
final class Stage2Decoder {

    private final Blip2Stage2 model;
    private final LlmTokenizer tokenizer;
    private final EvalImages images;

    Stage2Decoder(Blip2Stage2 model, LlmTokenizer tokenizer, ImagePreprocessor preprocessor) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.images = new EvalImages(preprocessor);
        if (tokenizer.vocabSize() > model.llm().config().vocabSize()) {
            throw new IllegalArgumentException("the LLM tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the LLM's vocabulary only " + model.llm().config().vocabSize());
        }
    }

    /** One decoded text per image, generated after that image's soft prompt and text prompt. */
    List<String> decode(List<EvalImages.Ref> refs, List<String> prompts, DecodingSettings settings)
            throws IOException {
        if (refs.size() != prompts.size()) {
            throw new IllegalArgumentException(refs.size() + " images but " + prompts.size() + " prompts");
        }
        List<int[]> promptIds = new ArrayList<>(prompts.size());
        prompts.forEach(p -> promptIds.add(tokenizer.encode(p, true)));
        TokenBatch prompt = LlmPrompts.leftPadded(promptIds, tokenizer.padId());
        GenerationConfig config = settings.generationConfig(tokenizer.newlineId());
        NDManager parent = model.namedParameters().values().iterator().next().array().getManager();
        List<Generated> generated;
        try (NDManager m = parent.newSubManager(); NDScope scope = new NDScope()) {
            NDArray pixels = images.pixels(m, refs);
            generated = model.generate(pixels, prompt, config);
        }
        List<String> out = new ArrayList<>(generated.size());
        for (Generated g : generated) {
            long[] tokens = g.tokens();
            int[] ids = new int[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                ids[i] = Math.toIntExact(tokens[i]);
            }
            out.add(tokenizer.decode(ids, true).strip());
        }
        return out;
    }
}
