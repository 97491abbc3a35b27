package org.pformer.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.train.TokenBatch;

/**
 * Greedy decoding and beam search for a frozen {@link OptForCausalLM} reading a soft prompt (B, Q, H) followed by
 * a left-padded text prompt, as BLIP-2 OPT captions and answers questions (LAVIS {@code Blip2OPT.generate} /
 * {@code predict_answers}: {@code inputs_embeds = [soft prompt ; embed(prompt ids)]}).
 *
 * <p>Semantics are HuggingFace transformers' {@code generate} with {@code inputs_embeds} (4.40): only new tokens
 * are counted by {@code max/min_new_tokens} and seen by the repetition penalty; beam search adds the logits
 * processors' output to log-softmax scores, keeps {@code 2·beams} candidates per step, files a hypothesis when a
 * top-{@code beams} candidate is EOS (score {@code sum / length^penalty}, EOS counted), and stops an input once its
 * {@code beams} finished hypotheses cannot be beaten ({@code early_stopping=False}).
 *
 * <p>Decoding is incremental with a key/value cache by default; the uncached mode recomputes the whole sequence
 * every step (a reference for tests). Run it outside a gradient collector.
 */
public final class Generator {

    private final OptForCausalLM llm;
    private final boolean useCache;

    public Generator(OptForCausalLM llm) {
        this(llm, true);
    }

    public Generator(OptForCausalLM llm, boolean useCache) {
        this.llm = Objects.requireNonNull(llm, "llm");
        this.useCache = useCache;
    }

    /**
     * Decodes one sequence per input.
     *
     * @param softPrompt (B, Q, H) prompt embeddings (e.g. the Q-Former's projected query outputs), or null
     * @param textPrompt (B, L) LEFT-padded prompt token ids (with the LLM's BOS) and their mask, or null
     * @param config decoding settings
     * @return B sequences, in input order
     */
    public List<Generated> generate(NDArray softPrompt, TokenBatch textPrompt, GenerationConfig config) {
        if (softPrompt == null && textPrompt == null) {
            throw new IllegalArgumentException("generation needs a soft prompt, a text prompt or both");
        }
        int batch = softPrompt != null ? (int) softPrompt.getShape().get(0) : textPrompt.size();
        if (softPrompt != null && textPrompt != null && textPrompt.size() != batch) {
            throw new IllegalArgumentException("soft prompt has " + batch + " rows, text prompt " + textPrompt.size());
        }
        if (textPrompt != null) {
            requireLeftPadding(textPrompt);
        }
        long promptLength = (softPrompt == null ? 0 : softPrompt.getShape().get(1))
                + (textPrompt == null ? 0 : textPrompt.length());
        if (promptLength + config.maxNewTokens() > llm.config().maxPositions()) {
            throw new IllegalArgumentException("prompt (" + promptLength + ") + maxNewTokens ("
                    + config.maxNewTokens() + ") exceeds the LLM's " + llm.config().maxPositions() + " positions");
        }
        NDManager parent = llm.embedTokens().weight().array().getManager();
        try (NDManager manager = parent.newSubManager()) {
            Prompt prompt = Prompt.of(llm, manager, softPrompt, textPrompt);
            try (Session session = useCache ? new CachedSession(llm, prompt) : new FullSession(llm, prompt)) {
                return config.numBeams() == 1
                        ? greedy(session, batch, config)
                        : new BeamSearch(config, batch).run(session);
            }
        }
    }

    private static void requireLeftPadding(TokenBatch prompt) {
        for (int i = 0; i < prompt.size(); i++) {
            long[] mask = prompt.mask()[i];
            boolean seen = false;
            for (int j = 0; j < mask.length; j++) {
                if (mask[j] == 1) {
                    seen = true;
                } else if (seen) {
                    throw new IllegalArgumentException("text prompt row " + i + " is not left-padded (padding at "
                            + j + " after a token): generation continues from the last position");
                }
            }
            if (!seen) {
                throw new IllegalArgumentException("text prompt row " + i + " has no tokens (expected at least BOS)");
            }
        }
    }

    private static List<Generated> greedy(Session session, int batch, GenerationConfig config) {
        List<long[]> histories = new ArrayList<>();
        double[] scores = new double[batch];
        boolean[] finished = new boolean[batch];
        int[] live = new int[batch];
        for (int b = 0; b < batch; b++) {
            live[b] = b;
            histories.add(new long[0]);
        }
        int[] parents = null;
        for (int t = 0; t < config.maxNewTokens() && live.length > 0; t++) {
            long[][] liveHistories = new long[live.length][];
            for (int r = 0; r < live.length; r++) {
                liveHistories[r] = histories.get(live[r]);
            }
            float[][] logits = session.next(live, liveHistories, parents, false);
            List<Integer> stillLive = new ArrayList<>();
            List<Integer> stillParents = new ArrayList<>();
            for (int r = 0; r < live.length; r++) {
                int b = live[r];
                float[] row = logits[r];
                LogitsProcessing.process(row, liveHistories[r], t, config);
                int best = LogitsProcessing.argMax(row);
                scores[b] += LogitsProcessing.logSoftmaxAt(row, best);
                if (config.isEos(best)) {
                    finished[b] = true;
                } else {
                    histories.set(b, append(liveHistories[r], best));
                    stillLive.add(b);
                    stillParents.add(r);
                }
            }
            live = stillLive.stream().mapToInt(Integer::intValue).toArray();
            parents = stillParents.stream().mapToInt(Integer::intValue).toArray();
        }
        List<Generated> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            out.add(new Generated(histories.get(b), finished[b], scores[b]));
        }
        return out;
    }

    static long[] append(long[] history, long token) {
        long[] out = Arrays.copyOf(history, history.length + 1);
        out[history.length] = token;
        return out;
    }

    /** The fixed part of every sequence: [soft prompt ; embedded text prompt] (B, L0, H) and its mask (B, L0). */
    record Prompt(NDArray embeds, long[][] mask) {

        static Prompt of(OptForCausalLM llm, NDManager manager, NDArray softPrompt, TokenBatch textPrompt) {
            NDArray embeds = null;
            long[][] mask = null;
            if (softPrompt != null) {
                long width = llm.embedTokens().dim();
                if (softPrompt.getShape().dimension() != 3 || softPrompt.getShape().get(2) != width) {
                    throw new IllegalArgumentException("soft prompt must be (B, Q, " + width + "), got "
                            + softPrompt.getShape());
                }
                // a copy in our manager, so nothing derived from it lands in the caller's
                embeds = manager.zeros(softPrompt.getShape(), DataType.FLOAT32)
                        .add(softPrompt.toType(DataType.FLOAT32, false).stopGradient());
                mask = new long[(int) softPrompt.getShape().get(0)][(int) softPrompt.getShape().get(1)];
                for (long[] row : mask) {
                    Arrays.fill(row, 1);
                }
            }
            if (textPrompt != null) {
                NDArray text = llm.embed(manager.create(textPrompt.ids()));
                embeds = embeds == null ? text : embeds.concat(text, 1);
                mask = mask == null ? textPrompt.mask() : concat(mask, textPrompt.mask());
            }
            return new Prompt(embeds, mask);
        }

        private static long[][] concat(long[][] a, long[][] b) {
            long[][] out = new long[a.length][];
            for (int i = 0; i < a.length; i++) {
                out[i] = Arrays.copyOf(a[i], a[i].length + b[i].length);
                System.arraycopy(b[i], 0, out[i], a[i].length, b[i].length);
            }
            return out;
        }

        int length() {
            return (int) embeds.getShape().get(1);
        }

        /** The attention mask of {@code items}' prompts followed by {@code generated} ones. */
        NDArray mask(NDManager manager, int[] items, int generated) {
            long[][] out = new long[items.length][];
            for (int r = 0; r < items.length; r++) {
                long[] m = mask[items[r]];
                out[r] = Arrays.copyOf(m, m.length + generated);
                Arrays.fill(out[r], m.length, m.length + generated, 1);
            }
            return manager.create(out);
        }
    }

    /**
     * Next-token logits for the live rows. Row r continues input {@code items[r]} with the tokens
     * {@code histories[r]} (all of one length); {@code parents[r]} is the index, among the previous call's rows,
     * of the row it extends (null on the first call).
     */
    interface Session extends AutoCloseable {
        float[][] next(int[] items, long[][] histories, int[] parents, boolean logSoftmax);

        @Override
        void close();
    }

    /** Recomputes [prompt ; history] from scratch every step. */
    private static final class FullSession implements Session {
        private final OptForCausalLM llm;
        private final Prompt prompt;

        FullSession(OptForCausalLM llm, Prompt prompt) {
            this.llm = llm;
            this.prompt = prompt;
        }

        @Override
        public float[][] next(int[] items, long[][] histories, int[] parents, boolean logSoftmax) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDManager m = prompt.embeds().getManager();
                int generated = histories[0].length;
                NDArray embeds = prompt.embeds().get(m.create(toLongs(items)));
                if (generated > 0) {
                    embeds = embeds.concat(llm.embed(m.create(histories)), 1);
                }
                NDArray mask = prompt.mask(m, items, generated);
                int last = prompt.length() + generated - 1;
                NDArray logits = llm.forwardEmbeds(embeds, mask, last).logits();
                return rows(logits.reshape(items.length, -1), logSoftmax);
            }
        }

        @Override
        public void close() {}
    }

    /** Keeps every layer's keys and values: the prompt is encoded once, then one position per step. */
    private static final class CachedSession implements Session {
        private final OptForCausalLM llm;
        private final Prompt prompt;
        private OptForCausalLM.KeyValueCache cache;

        CachedSession(OptForCausalLM llm, Prompt prompt) {
            this.llm = llm;
            this.prompt = prompt;
        }

        @Override
        public float[][] next(int[] items, long[][] histories, int[] parents, boolean logSoftmax) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDManager m = prompt.embeds().getManager();
                int generated = histories[0].length;
                NDArray mask = prompt.mask(m, items, generated);
                OptForCausalLM.IncrementalOutput out;
                if (cache == null) {
                    if (generated != 0) {
                        throw new IllegalStateException("the first step must start from the prompt");
                    }
                    out = llm.forwardIncremental(prompt.embeds().get(m.create(toLongs(items))), mask, null);
                } else {
                    long[][] lastTokens = new long[items.length][1];
                    for (int r = 0; r < items.length; r++) {
                        lastTokens[r][0] = histories[r][generated - 1];
                    }
                    OptForCausalLM.KeyValueCache selected = cache.select(m.create(toLongs(parents)));
                    out = llm.forwardIncremental(llm.embed(m.create(lastTokens)), mask, selected);
                }
                OptForCausalLM.KeyValueCache next = out.cache().detachFromScope();
                if (cache != null) {
                    cache.close();
                }
                cache = next;
                return rows(out.logits(), logSoftmax);
            }
        }

        @Override
        public void close() {
            if (cache != null) {
                cache.close();
                cache = null;
            }
        }
    }

    static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** (N, V) logits as N host rows, optionally log-softmax-normalised first (in FLOAT32, as HF's beam search). */
    static float[][] rows(NDArray logits, boolean logSoftmax) {
        Shape s = logits.getShape();
        int n = (int) s.get(0);
        int v = (int) s.get(1);
        NDArray values = logits.toType(DataType.FLOAT32, false);
        float[] flat = (logSoftmax ? values.logSoftmax(1) : values).toFloatArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
        }
        return out;
    }
}
