package org.pformer.model.generate;

import java.util.Arrays;

/**
 * Decoding settings with HuggingFace {@code generate} semantics (METHOD.md "Evaluation"); greedy decoding is
 * {@code numBeams == 1}.
 *
 * @param numBeams beams per input (1 = greedy)
 * @param maxNewTokens at most this many tokens are generated (EOS included)
 * @param minNewTokens EOS is forbidden while fewer tokens than this have been generated
 * @param lengthPenalty a finished beam scores {@code sum(log p) / length^lengthPenalty}, length = generated tokens
 *     (EOS included); 1 favours neither, &lt; 0 shorter, &gt; 0 longer outputs (the reference code uses −1 for VQA)
 * @param repetitionPenalty 1 = off; otherwise each already generated token's score s becomes {@code s / penalty}
 *     if s &gt; 0 and {@code s · penalty} otherwise (HF's CTRL-style penalty); only generated tokens count, as for
 *     HF with {@code inputs_embeds}
 * @param eosTokenIds tokens that end a sequence (BLIP-2 OPT stops at the "\n" token)
 */
public record GenerationConfig(int numBeams, int maxNewTokens, int minNewTokens, double lengthPenalty,
        double repetitionPenalty, long[] eosTokenIds) {

    public GenerationConfig {
        if (numBeams < 1) {
            throw new IllegalArgumentException("numBeams must be >= 1, got " + numBeams);
        }
        if (maxNewTokens < 1 || minNewTokens < 0 || minNewTokens > maxNewTokens) {
            throw new IllegalArgumentException("need 0 <= minNewTokens <= maxNewTokens and maxNewTokens >= 1, got min "
                    + minNewTokens + ", max " + maxNewTokens);
        }
        if (!(repetitionPenalty > 0) || !Double.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0 and lengthPenalty finite, got "
                    + repetitionPenalty + ", " + lengthPenalty);
        }
        if (eosTokenIds == null || eosTokenIds.length == 0) {
            throw new IllegalArgumentException("at least one EOS token id is needed");
        }
        eosTokenIds = eosTokenIds.clone();
    }

    /** Greedy decoding with no penalties. */
    public static GenerationConfig greedy(int maxNewTokens, long... eosTokenIds) {
        return new GenerationConfig(1, maxNewTokens, 0, 1.0, 1.0, eosTokenIds);
    }

    /** Beam search with the given settings. */
    public static GenerationConfig beams(int numBeams, int maxNewTokens, int minNewTokens, double lengthPenalty,
            double repetitionPenalty, long... eosTokenIds) {
        return new GenerationConfig(numBeams, maxNewTokens, minNewTokens, lengthPenalty, repetitionPenalty,
                eosTokenIds);
    }

    public boolean isEos(long token) {
        for (long e : eosTokenIds) {
            if (e == token) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g && g.numBeams == numBeams && g.maxNewTokens == maxNewTokens
                && g.minNewTokens == minNewTokens && Double.compare(g.lengthPenalty, lengthPenalty) == 0
                && Double.compare(g.repetitionPenalty, repetitionPenalty) == 0
                && Arrays.equals(g.eosTokenIds, eosTokenIds);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(numBeams, maxNewTokens, minNewTokens, lengthPenalty, repetitionPenalty)
                + Arrays.hashCode(eosTokenIds);
    }

    @Override
    public String toString() {
        return "GenerationConfig[numBeams=" + numBeams + ", maxNewTokens=" + maxNewTokens + ", minNewTokens="
                + minNewTokens + ", lengthPenalty=" + lengthPenalty + ", repetitionPenalty=" + repetitionPenalty
                + ", eosTokenIds=" + Arrays.toString(eosTokenIds) + "]";
    }
}
