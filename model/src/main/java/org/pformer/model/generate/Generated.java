package org.pformer.model.generate;

/**
 * One decoded sequence.
 *
 * @param tokens the generated token ids, without the prompt and without the final EOS
 * @param finished whether decoding stopped at an EOS token (false: it ran out of {@code maxNewTokens})
 * @param score beam search: the hypothesis score {@code sum(log p) / length^lengthPenalty} (HF's
 *     {@code sequences_scores}); greedy: the sum of the chosen tokens' log-probabilities after the logits
 *     processors
 */
public record Generated(long[] tokens, boolean finished, double score) {

    public Generated {
        tokens = tokens.clone();
    }

    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    /** The tokens as HF's {@code generate} returns them for {@code inputs_embeds}: EOS appended when finished. */
    public long[] tokensWithEos(long eos) {
        if (!finished) {
            return tokens.clone();
        }
        long[] out = java.util.Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = eos;
        return out;
    }
}
