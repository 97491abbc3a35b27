package org.pformer.model.generate;

import java.util.HashSet;
import java.util.Set;

/**
 * The logits processors of HF {@code generate} that the evaluation uses, applied in HF's order to one row of
 * next-token scores (raw logits for greedy decoding, log-probabilities for beam search), in float arithmetic as
 * PyTorch computes them.
 */
final class LogitsProcessing {

    private LogitsProcessing() {}

    /**
     * {@code RepetitionPenaltyLogitsProcessor} (each token already generated: s / p if s &gt; 0, else s · p), then
     * {@code MinNewTokensLengthLogitsProcessor} (EOS → −∞ while fewer than {@code minNewTokens} are generated).
     */
    static void process(float[] scores, long[] generated, int generatedCount, GenerationConfig config) {
        if (config.repetitionPenalty() != 1.0) {
            float penalty = (float) config.repetitionPenalty();
            Set<Long> seen = new HashSet<>();
            for (long token : generated) {
                if (seen.add(token)) {
                    int t = (int) token;
                    float s = scores[t];
                    scores[t] = s < 0 ? s * penalty : s / penalty;
                }
            }
        }
        if (generatedCount < config.minNewTokens()) {
            for (long eos : config.eosTokenIds()) {
                if (eos >= 0 && eos < scores.length) {
                    scores[(int) eos] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    /** Index of the largest score; the first one on ties (as {@code torch.argmax}). */
    static int argMax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    /** log softmax(scores)[index], in double precision. */
    static double logSoftmaxAt(float[] scores, int index) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        for (float s : scores) {
            sum += Math.exp(s - max);
        }
        return scores[index] - max - Math.log(sum);
    }
}
