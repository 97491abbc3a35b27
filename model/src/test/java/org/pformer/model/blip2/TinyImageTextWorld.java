package org.pformer.model.blip2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.data.ImageTextBatchSource;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.pformer.PFormerConfig;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.vit.VitConfig;

/**
 * A miniature image-caption world for the BLIP-2 tests: 16×16 RGB images of one coloured shape (4 colours × 4
 * shapes, a few jittered renderings each) drawn into float arrays, captioned "a {colour} {shape}"; word-level
 * tokenisers for the Q-Former side ([PAD]=0, [CLS]=1, [SEP]=2, [DEC]=3, [MASK]=4) and for the LLM (pad 1, BOS 2,
 * "\n" 3); tiny model configurations; a resumable source over a seeded per-epoch shuffle.
 */
final class TinyImageTextWorld {

    static final String[] COLOURS = {"red", "green", "blue", "yellow"};
    static final String[] SHAPES = {"circle", "square", "triangle", "cross"};
    static final float[][] RGB = {{0.9f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.2f}, {0.15f, 0.2f, 0.9f}, {0.9f, 0.85f, 0.1f}};
    static final int SIZE = 16;
    static final int TEXT_LENGTH = 6;
    static final int LLM_LENGTH = 6;
    static final int DEC_ID = 3;
    static final int MASK_ID = 4;
    static final long LLM_EOS = 3;

    final int renderings;
    final List<String> words = new ArrayList<>();
    final Map<String, Integer> index = new HashMap<>();

    TinyImageTextWorld(int renderings) {
        this.renderings = renderings;
        for (String w : new String[] {"a", "photo", "of"}) {
            add(w);
        }
        for (String c : COLOURS) {
            add(c);
        }
        for (String s : SHAPES) {
            add(s);
        }
    }

    private void add(String w) {
        index.putIfAbsent(w, words.size());
        if (words.size() == index.get(w)) {
            words.add(w);
        }
    }

    int textVocab() {
        return 5 + words.size();
    }

    int llmVocab() {
        return 4 + words.size();
    }

    /** Number of distinct images. */
    int images() {
        return COLOURS.length * SHAPES.length * renderings;
    }

    static String caption(int image) {
        int concept = image % (COLOURS.length * SHAPES.length);
        return "a " + COLOURS[concept / SHAPES.length] + " " + SHAPES[concept % SHAPES.length];
    }

    /** Image {@code image} as CHW floats, roughly zero-mean: the shape in its colour on a grey background. */
    float[] pixels(int image) {
        int concept = image % (COLOURS.length * SHAPES.length);
        int colour = concept / SHAPES.length;
        int shape = concept % SHAPES.length;
        Random r = new Random(1000L + image);
        int cx = 7 + r.nextInt(3) - 1;
        int cy = 7 + r.nextInt(3) - 1;
        float[] out = new float[3 * SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                boolean inside = switch (shape) {
                    case 0 -> (x - cx) * (x - cx) + (y - cy) * (y - cy) <= 20;
                    case 1 -> Math.abs(x - cx) <= 4 && Math.abs(y - cy) <= 4;
                    case 2 -> y - cy <= 4 && y - cy >= -4 && Math.abs(x - cx) <= (y - cy + 4) / 2;
                    default -> Math.abs(x - cx) <= 1 && Math.abs(y - cy) <= 5 || Math.abs(y - cy) <= 1 && Math.abs(x - cx) <= 5;
                };
                for (int ch = 0; ch < 3; ch++) {
                    float v = inside ? RGB[colour][ch] : 0.5f;
                    out[ch * SIZE * SIZE + y * SIZE + x] = (v - 0.5f) * 2 + (float) (0.05 * r.nextGaussian());
                }
            }
        }
        return out;
    }

    /** [CLS] words [SEP], right-padded with 0. */
    TokenBatch encodeText(List<String> captions) {
        long[][] ids = new long[captions.size()][TEXT_LENGTH];
        long[][] mask = new long[captions.size()][TEXT_LENGTH];
        for (int i = 0; i < captions.size(); i++) {
            String[] w = captions.get(i).split(" ");
            ids[i][0] = 1;
            mask[i][0] = 1;
            for (int j = 0; j < w.length; j++) {
                ids[i][j + 1] = 5 + index.get(w[j]);
                mask[i][j + 1] = 1;
            }
            ids[i][w.length + 1] = 2;
            mask[i][w.length + 1] = 1;
        }
        return new TokenBatch(ids, mask);
    }

    /** LLM ids of words (no BOS, no end marker). */
    long[] llmWords(String text) {
        if (text.isEmpty()) {
            return new long[0];
        }
        return Arrays.stream(text.split(" ")).mapToLong(w -> 4 + index.get(w)).toArray();
    }

    /** BOS [prompt words] caption words "\n", right-padded with 1. */
    TokenBatch encodeLlm(List<String> captions, String prompt) {
        int length = LLM_LENGTH + llmWords(prompt).length;
        long[][] ids = new long[captions.size()][length];
        long[][] mask = new long[captions.size()][length];
        for (int i = 0; i < captions.size(); i++) {
            Arrays.fill(ids[i], 1);
            long[] words = concat(llmWords(prompt), llmWords(captions.get(i)));
            ids[i][0] = 2;
            mask[i][0] = 1;
            for (int j = 0; j < words.length; j++) {
                ids[i][j + 1] = words[j];
                mask[i][j + 1] = 1;
            }
            ids[i][words.length + 1] = LLM_EOS;
            mask[i][words.length + 1] = 1;
        }
        return new TokenBatch(ids, mask);
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    String decodeLlm(long[] tokens) {
        StringBuilder sb = new StringBuilder();
        for (long t : tokens) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(t >= 4 && t - 4 < words.size() ? words.get((int) t - 4) : "<" + t + ">");
        }
        return sb.toString();
    }

    ImageTextBatch batch(int[] images, String prompt) {
        float[][] pixels = new float[images.length][];
        List<String> captions = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < images.length; i++) {
            pixels[i] = pixels(images[i]);
            captions.add(caption(images[i]));
            ids.add("img-" + images[i]);
        }
        return new ImageTextBatch(pixels, 3, SIZE, SIZE, encodeText(captions), encodeLlm(captions, prompt), captions,
                ids);
    }

    /** Cycles through {@code pool} (image numbers) in a per-epoch shuffled order; the cursor counts examples. */
    final class Source extends CountingBatchSource<ImageTextBatch> implements ImageTextBatchSource {
        private final long seed;
        private final int[] pool;
        private final String prompt;

        Source(long seed, int[] pool, String prompt) {
            this.seed = seed;
            this.pool = pool.clone();
            this.prompt = prompt;
        }

        Source(long seed) {
            this(seed, java.util.stream.IntStream.range(0, images()).toArray(), "");
        }

        @Override
        public ImageTextBatch next(int batchSize) {
            int[] chosen = new int[batchSize];
            for (int i = 0; i < batchSize; i++) {
                long position = advance(1);
                int[] order = order(position / pool.length);
                chosen[i] = pool[order[(int) (position % pool.length)]];
            }
            return batch(chosen, prompt);
        }

        private int[] order(long epoch) {
            int[] order = java.util.stream.IntStream.range(0, pool.length).toArray();
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

    VitConfig vit() {
        return new VitConfig(SIZE, 4, 3, 32, 1, 4, 64, 1e-6, 0.0, 0.0, false);
    }

    QFormerConfig qformer(int numQuery) {
        return qformer(numQuery, 0.1);
    }

    QFormerConfig qformer(int numQuery, double dropout) {
        BertConfig bert = new BertConfig(textVocab(), 32, 2, 4, 64, 16, 0, 1e-12, dropout, dropout, 0, 0, false)
                .withQueryCrossAttention(2, 32);
        return new QFormerConfig(bert, numQuery, 32, DEC_ID, 0.07, 0.001, 0.5, 0.1, 0.1, 1e-5);
    }

    OptConfig llm() {
        return new OptConfig(llmVocab(), 32, 2, 4, 64, 32, 32, true, 0.0, 0.0, 1, 2); // no dropout: only ever trained as the fixture
    }

    PFormerConfig pformer(int numQuery) {
        BertConfig encoder = new BertConfig(textVocab(), 32, 1, 4, 64, 16, 2, 1e-12, 0.1, 0.1, 0, 0, false);
        return PFormerConfig.defaults(encoder, 32, MASK_ID).withNumQueries(numQuery);
    }
}
