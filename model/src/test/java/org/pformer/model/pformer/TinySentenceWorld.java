package org.pformer.model.pformer;

import org.pformer.model.train.TokenBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pformer.model.train.CountingBatchSource;

/**
 * A miniature of the benchmark grammar for tests: sentences about a coloured shape from a few paraphrase
 * templates, word-level tokenisation for the encoder ([PAD]=0, [CLS]=2, [SEP]=3, [MASK]=4) and for the LLM
 * (pad 1, BOS 2, "\n" 3), and a resumable {@link SentenceBatchSource} over a seeded shuffled order.
 */
final class TinySentenceWorld {

    static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "orange"};
    static final String[] SHAPES = {"circle", "square", "triangle", "star", "heart", "cross"};
    static final String[] TEMPLATES = {"a %s %s", "there is a %s %s", "this is a %s %s", "a picture of a %s %s",
            "we see a %s %s here"};
    static final int ENCODER_LENGTH = 9;
    static final int LLM_LENGTH = 9;
    static final int MASK_ID = 4;

    final List<String> words = new ArrayList<>();
    final Map<String, Integer> index = new HashMap<>();

    TinySentenceWorld() {
        for (String t : TEMPLATES) {
            for (String w : t.split(" ")) {
                if (!w.equals("%s")) {
                    add(w);
                }
            }
        }
        for (String c : COLOURS) {
            add(c);
        }
        for (String s : SHAPES) {
            add(s);
        }
    }

    private void add(String w) {
        if (!index.containsKey(w)) {
            index.put(w, words.size());
            words.add(w);
        }
    }

    int encoderVocab() {
        return 5 + words.size();
    }

    int llmVocab() {
        return 4 + words.size();
    }

    /** Sentence number i of the fixed universe (template-major). */
    static String sentence(int template, int colour, int shape) {
        return String.format(TEMPLATES[template], COLOURS[colour], SHAPES[shape]);
    }

    static int universe() {
        return TEMPLATES.length * COLOURS.length * SHAPES.length;
    }

    static String sentence(int i) {
        int t = i / (COLOURS.length * SHAPES.length);
        int rest = i % (COLOURS.length * SHAPES.length);
        return sentence(t, rest / SHAPES.length, rest % SHAPES.length);
    }

    TokenBatch encode(List<String> sentences) {
        long[][] ids = new long[sentences.size()][ENCODER_LENGTH];
        long[][] mask = new long[sentences.size()][ENCODER_LENGTH];
        for (int i = 0; i < sentences.size(); i++) {
            String[] w = sentences.get(i).split(" ");
            ids[i][0] = 2;
            mask[i][0] = 1;
            for (int j = 0; j < w.length; j++) {
                ids[i][j + 1] = 5 + index.get(w[j]);
                mask[i][j + 1] = 1;
            }
            ids[i][w.length + 1] = 3;
            mask[i][w.length + 1] = 1;
        }
        return new TokenBatch(ids, mask);
    }

    TokenBatch encodeForLlm(List<String> sentences) {
        long[][] ids = new long[sentences.size()][LLM_LENGTH];
        long[][] mask = new long[sentences.size()][LLM_LENGTH];
        for (int i = 0; i < sentences.size(); i++) {
            java.util.Arrays.fill(ids[i], 1);
            String[] w = sentences.get(i).split(" ");
            ids[i][0] = 2;
            mask[i][0] = 1;
            for (int j = 0; j < w.length; j++) {
                ids[i][j + 1] = 4 + index.get(w[j]);
                mask[i][j + 1] = 1;
            }
            ids[i][w.length + 1] = 3; // "\n"
            mask[i][w.length + 1] = 1;
        }
        return new TokenBatch(ids, mask);
    }

    SentenceBatch batch(List<String> sentences) {
        return new SentenceBatch(encode(sentences), encodeForLlm(sentences), sentences);
    }

    /**
     * Pre-training data for the world's small causal LM: two paraphrases (same colour and shape, independent
     * templates) packed into one sequence, {@code BOS s1 \n BOS s2 \n}, padded to 2 × LLM_LENGTH. The LM learns
     * the grammar, positions beyond one sentence and to carry content from earlier context into a new sentence,
     * which is what lets a soft prompt steer it.
     */
    org.pformer.model.train.BatchSource<TokenBatch> llmPairSource(long seed) {
        return new CountingBatchSource<>() {
            @Override
            public TokenBatch next(int batchSize) {
                long[][] ids = new long[batchSize][2 * LLM_LENGTH];
                long[][] mask = new long[batchSize][2 * LLM_LENGTH];
                for (int i = 0; i < batchSize; i++) {
                    Random r = new Random(seed * 1_000_003L + advance(1));
                    int colour = r.nextInt(COLOURS.length);
                    int shape = r.nextInt(SHAPES.length);
                    java.util.Arrays.fill(ids[i], 1);
                    int k = 0;
                    for (int part = 0; part < 2; part++) {
                        TokenBatch one = encodeForLlm(List.of(sentence(r.nextInt(TEMPLATES.length), colour, shape)));
                        for (int j = 0; j < LLM_LENGTH && one.mask()[0][j] == 1; j++) {
                            ids[i][k] = one.ids()[0][j];
                            mask[i][k++] = 1;
                        }
                    }
                }
                return new TokenBatch(ids, mask);
            }
        };
    }

    /** Cycles through the universe in a per-epoch shuffled order; the cursor is the global example index. */
    final class Source extends CountingBatchSource<SentenceBatch> implements SentenceBatchSource {
        private final long seed;

        Source(long seed) {
            this.seed = seed;
        }

        @Override
        public SentenceBatch next(int batchSize) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) {
                long position = advance(1);
                int[] order = order(position / universe());
                out.add(sentence(order[(int) (position % universe())]));
            }
            return batch(out);
        }

        private int[] order(long epoch) {
            int[] order = new int[universe()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Random r = new Random(seed * 31 + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return order;
        }
    }
}
