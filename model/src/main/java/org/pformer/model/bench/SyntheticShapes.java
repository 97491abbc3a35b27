package org.pformer.model.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.data.ImageTextBatchSource;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.TokenBatch;

/**
 * A miniature of the benchmark world for tests and timing runs of the foundation models, written in Java so that
 * the model module needs no generated files: images with 1..{@code maxObjects} coloured shapes on a noisy
 * background, each in a cell of a coarse grid, captioned by a template grammar ("a large red circle in the top
 * left and …"); an LM corpus of such descriptions and of "description . question : … ? short answer : …"
 * passages; word-level tokenisers for a BERT-style text side ([PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4) and
 * an OPT-style LLM side (pad 1, BOS {@code </s>} 2, "\n" 3). Example k of a stream is a pure function of (seed,
 * k), so every source here is resumable.
 *
 * <p>It is not the shipped world (the datasets module generates that, with PNG files and LAVIS annotations); it
 * only has the same shape of data.
 */
public final class SyntheticShapes {

    /** CLIP normalisation (what the world's image preprocessing applies). */
    static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    static final String[] COLOUR_NAMES = {"red", "green", "blue", "yellow", "purple", "orange", "white", "black"};
    static final float[][] COLOUR_RGB = {{0.9f, 0.1f, 0.1f}, {0.1f, 0.75f, 0.2f}, {0.15f, 0.25f, 0.9f},
            {0.95f, 0.9f, 0.1f}, {0.6f, 0.2f, 0.7f}, {1f, 0.55f, 0.05f}, {0.97f, 0.97f, 0.97f}, {0.05f, 0.05f, 0.05f}};
    static final String[] SHAPE_NAMES = {"circle", "square", "triangle", "diamond", "cross", "ring", "bar", "star"};
    static final String[] TEMPLATES = {"%s", "there is %s", "a picture of %s", "we see %s"};
    static final String[] QA_WORDS = {".", "question", ":", "what", "colour", "is", "the", "?", "short", "answer",
            "shape", "how", "many", "objects", "are", "there", "one", "two", "three", "and", "a", "large", "small",
            "in", "top", "bottom", "left", "right", "middle"};

    /**
     * The world's size.
     *
     * @param imageSize square image side in pixels
     * @param colours how many colours objects take (≤ 8)
     * @param shapes how many shape kinds (≤ 8)
     * @param grid cells per image side (1..3): objects sit in distinct cells, named "top left" … "bottom right"
     * @param maxObjects objects per image, 1..3 (never more than grid²)
     * @param templates caption templates in use (1..4; 1 = every concept has exactly one caption)
     * @param sizes whether objects come large or small (and captions say which)
     */
    public record Spec(int imageSize, int colours, int shapes, int grid, int maxObjects, int templates,
                       boolean sizes) {
        public Spec {
            if (imageSize < 8 || colours < 1 || colours > COLOUR_NAMES.length || shapes < 1
                    || shapes > SHAPE_NAMES.length || grid < 1 || grid > 3 || maxObjects < 1 || maxObjects > 3
                    || maxObjects > grid * grid || templates < 1 || templates > TEMPLATES.length) {
                throw new IllegalArgumentException("invalid synthetic world: " + this);
            }
        }

        /**
         * A world a tiny model learns in seconds: 4 colours × 4 shapes, one object per image, one size, one
         * template (16 captions).
         */
        public static Spec tiny(int imageSize) {
            return new Spec(imageSize, 4, 4, 1, 1, 1, false);
        }

        /** The world's full variety: 8 colours, 8 shapes, two sizes, 3×3 grid, up to 3 objects, 4 templates. */
        public static Spec full(int imageSize) {
            return new Spec(imageSize, 8, 8, 3, 3, 4, true);
        }
    }

    /** One object: colour, shape, size (large or small) and grid cell. */
    record Thing(int colour, int shape, boolean large, int cell) {}

    private final Spec spec;
    private final List<String> words = new ArrayList<>();
    private final Map<String, Integer> index = new LinkedHashMap<>();

    public SyntheticShapes(Spec spec) {
        this.spec = spec;
        for (String w : QA_WORDS) {
            add(w);
        }
        for (String t : TEMPLATES) {
            for (String w : t.split(" ")) {
                add(w);
            }
        }
        Arrays.stream(COLOUR_NAMES).forEach(this::add);
        Arrays.stream(SHAPE_NAMES).forEach(this::add);
    }

    private void add(String w) {
        if (!w.equals("%s") && !index.containsKey(w)) {
            index.put(w, words.size());
            words.add(w);
        }
    }

    public Spec spec() {
        return spec;
    }

    /** BERT-style vocabulary size (5 specials + words). */
    public int textVocabSize() {
        return 5 + words.size();
    }

    /** OPT-style vocabulary size (4 specials + words). */
    public int llmVocabSize() {
        return 4 + words.size();
    }

    /** The objects of example {@code k} of the stream {@code seed}. */
    List<Thing> things(long seed, long k) {
        SplittableRandom r = random(seed, k);
        int n = 1 + r.nextInt(spec.maxObjects());
        int cells = spec.grid() * spec.grid();
        int[] cellOrder = permutation(cells, r);
        List<Thing> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean large = r.nextBoolean() || !spec.sizes();
            out.add(new Thing(r.nextInt(spec.colours()), r.nextInt(spec.shapes()), large, cellOrder[i]));
        }
        out.sort((a, b) -> Integer.compare(a.cell(), b.cell())); // reading order: a caption names cells top-left first
        return out;
    }

    /** The caption of example {@code k}. */
    public String caption(long seed, long k) {
        List<Thing> things = things(seed, k);
        SplittableRandom r = random(seed ^ 0x5DEECE66DL, k);
        return String.format(TEMPLATES[r.nextInt(spec.templates())], describe(things));
    }

    private String describe(List<Thing> things) {
        List<String> parts = new ArrayList<>();
        for (Thing t : things) {
            String where = cellName(t.cell());
            String size = !spec.sizes() ? "" : t.large() ? "large " : "small ";
            parts.add("a " + size + COLOUR_NAMES[t.colour()] + " "
                    + SHAPE_NAMES[t.shape()] + (where.isEmpty() ? "" : " in the " + where));
        }
        return String.join(" and ", parts);
    }

    private String cellName(int cell) {
        int g = spec.grid();
        if (g == 1) {
            return "";
        }
        int row = cell / g;
        int col = cell % g;
        String[] rows = g == 2 ? new String[] {"top", "bottom"} : new String[] {"top", "", "bottom"};
        String[] cols = g == 2 ? new String[] {"left", "right"} : new String[] {"left", "", "right"};
        String name = (rows[row] + " " + cols[col]).trim();
        return name.isEmpty() ? "middle" : name;
    }

    /** CLIP-normalised CHW pixels of example {@code k}. */
    public float[] pixels(long seed, long k) {
        int s = spec.imageSize();
        float[] rgb = new float[3 * s * s];
        SplittableRandom noise = random(seed ^ 0x2545F4914F6CDD1DL, k);
        for (int i = 0; i < s * s; i++) {
            float v = 0.45f + (float) noise.nextDouble(-0.06, 0.06);
            rgb[i] = v;
            rgb[s * s + i] = v;
            rgb[2 * s * s + i] = v;
        }
        int g = spec.grid();
        double cellSize = (double) s / g;
        for (Thing t : things(seed, k)) {
            double cx = (t.cell() % g + 0.5) * cellSize + noise.nextDouble(-0.08, 0.08) * cellSize;
            double cy = (t.cell() / g + 0.5) * cellSize + noise.nextDouble(-0.08, 0.08) * cellSize;
            double radius = cellSize * (t.large() ? 0.42 : 0.24);
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    if (inside(t.shape(), (x + 0.5 - cx) / radius, (y + 0.5 - cy) / radius)) {
                        for (int c = 0; c < 3; c++) {
                            rgb[c * s * s + y * s + x] = COLOUR_RGB[t.colour()][c];
                        }
                    }
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < s * s; i++) {
                rgb[c * s * s + i] = (rgb[c * s * s + i] - MEAN[c]) / STD[c];
            }
        }
        return rgb;
    }

    /** Whether the point (u, v), in units of the object's radius around its centre, is inside the shape. */
    private static boolean inside(int shape, double u, double v) {
        double au = Math.abs(u);
        double av = Math.abs(v);
        return switch (shape) {
            case 0 -> u * u + v * v <= 1;
            case 1 -> au <= 0.85 && av <= 0.85;
            case 2 -> v <= 0.8 && v >= -1 + 2 * au; // upward triangle
            case 3 -> au + av <= 1;
            case 4 -> (au <= 0.3 && av <= 1) || (av <= 0.3 && au <= 1);
            case 5 -> u * u + v * v <= 1 && u * u + v * v >= 0.4;
            case 6 -> au <= 1 && av <= 0.35;
            default -> starInside(u, v);
        };
    }

    private static boolean starInside(double u, double v) {
        double r = Math.hypot(u, v);
        double angle = Math.atan2(v, u);
        double spike = 0.5 + 0.5 * Math.abs(Math.cos(2.5 * angle));
        return r <= spike;
    }

    /** BERT-style tokens {@code [CLS] words [SEP]}, padded to the longest. */
    public TokenBatch textTokens(List<String> texts) {
        List<long[]> rows = new ArrayList<>();
        for (String t : texts) {
            String[] w = t.split(" ");
            long[] ids = new long[w.length + 2];
            ids[0] = 2;
            for (int j = 0; j < w.length; j++) {
                ids[j + 1] = 5 + index.getOrDefault(w[j], -4); // unknown words → [UNK] (1)
            }
            ids[w.length + 1] = 3;
            rows.add(ids);
        }
        return pad(rows, 0);
    }

    /** OPT-style tokens {@code </s> words \n} of one line. */
    public long[] llmTokens(String text) {
        String[] w = text.split(" ");
        long[] ids = new long[w.length + 2];
        ids[0] = 2;
        for (int j = 0; j < w.length; j++) {
            Integer id = index.get(w[j]);
            if (id == null) {
                throw new IllegalArgumentException("word '" + w[j] + "' is not in the synthetic vocabulary");
            }
            ids[j + 1] = 4 + id;
        }
        ids[w.length + 1] = 3;
        return ids;
    }

    private static TokenBatch pad(List<long[]> rows, long padId) {
        int length = rows.stream().mapToInt(r -> r.length).max().orElse(1);
        long[][] ids = new long[rows.size()][length];
        long[][] mask = new long[rows.size()][length];
        for (int i = 0; i < rows.size(); i++) {
            Arrays.fill(ids[i], padId);
            System.arraycopy(rows.get(i), 0, ids[i], 0, rows.get(i).length);
            Arrays.fill(mask[i], 0, rows.get(i).length, 1);
        }
        return new TokenBatch(ids, mask);
    }

    /**
     * Examples [from, from + n) of stream {@code seed} as one batch (image ids {@code <seed>-<k>}), captions tokenised
     * for the text side and for the LLM ({@code </s> words \n}, right-padded with 1).
     */
    public ImageTextBatch batch(long seed, long from, int n) {
        float[][] pixels = new float[n][];
        List<String> captions = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pixels[i] = pixels(seed, from + i);
            captions.add(caption(seed, from + i));
            ids.add(seed + "-" + (from + i));
        }
        return new ImageTextBatch(pixels, 3, spec.imageSize(), spec.imageSize(), textTokens(captions),
                pad(captions.stream().map(this::llmTokens).toList(), 1), captions, ids);
    }

    /** An endless, resumable stream of image-caption pairs (the "web" set of this miniature). */
    public ImageTextBatchSource pairs(long seed) {
        final class Source extends CountingBatchSource<ImageTextBatch> implements ImageTextBatchSource {
            @Override
            public ImageTextBatch next(int batchSize) {
                return batch(seed, advance(batchSize), batchSize);
            }
        }
        return new Source();
    }

    /** {@code count} pairs of stream {@code seed} in batches of {@code batchSize} (held-out evaluation). */
    public List<ImageTextBatch> heldOutPairs(long seed, int count, int batchSize) {
        List<ImageTextBatch> out = new ArrayList<>();
        for (int from = 0; from < count; from += batchSize) {
            out.add(batch(seed, from, Math.min(batchSize, count - from)));
        }
        return out;
    }

    /**
     * LM line {@code k} of stream {@code seed}: a description, or a description followed by a question about it
     * and its short answer (as the world's text-only QA passages).
     */
    public String lmLine(long seed, long k) {
        String description = caption(seed, k);
        SplittableRandom r = random(seed ^ 0x9E3779B97F4A7C15L, k);
        int kind = r.nextInt(4);
        if (kind == 0) {
            return description;
        }
        List<Thing> things = things(seed, k);
        Thing first = things.get(0);
        String question;
        String answer;
        if (kind == 1) {
            question = "what colour is the " + SHAPE_NAMES[first.shape()];
            answer = COLOUR_NAMES[first.colour()];
        } else if (kind == 2) {
            question = "what shape is the " + COLOUR_NAMES[first.colour()] + " one";
            answer = SHAPE_NAMES[first.shape()];
        } else {
            question = "how many objects are there";
            answer = new String[] {"one", "two", "three"}[things.size() - 1];
        }
        return description + " . question : " + question + " ? short answer : " + answer;
    }

    /** LM lines [0, count) of stream {@code seed}, tokenised. */
    public List<long[]> lmLines(long seed, int count) {
        List<long[]> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            out.add(llmTokens(lmLine(seed, k)));
        }
        return out;
    }

    private static SplittableRandom random(long seed, long k) {
        return new SplittableRandom(new SplittableRandom(seed).nextLong() ^ (k * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL));
    }

    private static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
