package org.pformer.metrics.caption;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Caption-metric speed (issue 9 item 5): BLEU-1..4 + ROUGE-L + CIDEr-D, ours on a NoCaps-val-sized input
 * (default 4,500 images × 10 references + 1 candidate, captions in the style of the shipped world, already
 * tokenised), against pycocoevalcap's {@code Bleu(4)}, {@code Rouge()} and {@code Cider()} on the same input
 * ({@code bench/caption_metrics_reference.py}, which reads the JSON this class writes with {@code --input-out}).
 * Each of {@code --passes} timed passes (after 2 untimed ones) prints
 * {@code RESULT pass=i seconds=S bleu4=… rouge_l=… cider=…}.
 *
 * <pre>
 * java -cp … org.pformer.metrics.caption.CaptionMetricsBenchmark [--images 4500] [--refs 10] [--passes 5]
 *     [--input-out FILE]
 * </pre>
 */
public final class CaptionMetricsBenchmark {
    private static final String[] SHAPES = {"circle", "square", "triangle", "star", "hexagon", "diamond", "cross"};
    private static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "orange", "white", "black"};
    private static final String[] SIZES = {"small", "little", "tiny", "large", "big", "huge"};
    private static final String[] RELATIONS = {"to the left of", "left of", "to the right of", "above", "below",
        "on top of", "beneath", "next to"};
    private static final String[] OPENERS = {"a", "there is a", "an image with a", "a picture showing a", "the"};

    private CaptionMetricsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int images = 4500;
        int refsPerImage = 10;
        int passes = 5;
        Path inputOut = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--refs" -> refsPerImage = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--input-out" -> inputOut = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: "
                        + "CaptionMetricsBenchmark [--images N] [--refs N] [--passes N] [--input-out FILE]");
            }
        }
        Random rng = new Random(2307_07063L);
        List<String> predictions = new ArrayList<>(images);
        List<List<String>> references = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            List<String> refs = new ArrayList<>(refsPerImage);
            for (int j = 0; j < refsPerImage; j++) {
                refs.add(caption(rng));
            }
            references.add(refs);
            predictions.add(caption(rng));
        }
        if (inputOut != null) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("predictions", predictions);
            data.put("references", references);
            Files.createDirectories(inputOut.toAbsolutePath().getParent());
            new ObjectMapper().writeValue(inputOut.toFile(), data);
        }
        System.out.printf(Locale.ROOT, "BLEU + ROUGE-L + CIDEr-D on %d images x %d references, %d cores%n", images,
                refsPerImage, Runtime.getRuntime().availableProcessors());
        for (int p = -2; p < passes; p++) {
            long t0 = System.nanoTime();
            CountedCorpus counted = CountedCorpus.of(predictions, references);
            List<MetricScores> bleu = counted.bleu();
            MetricScores rouge = RougeL.score(predictions, references);
            MetricScores cider = counted.cider();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (p >= 0) {
                System.out.printf(Locale.ROOT, "RESULT pass=%d seconds=%.4f bleu4=%.6f rouge_l=%.6f cider=%.6f%n", p,
                        seconds, bleu.get(bleu.size() - 1).corpus(), rouge.corpus(), cider.corpus());
            }
        }
    }

    private static String caption(Random rng) {
        return pick(rng, OPENERS) + " " + pick(rng, SIZES) + " " + pick(rng, COLOURS) + " " + pick(rng, SHAPES) + " "
                + pick(rng, RELATIONS) + " a " + pick(rng, SIZES) + " " + pick(rng, COLOURS) + " "
                + pick(rng, SHAPES);
    }

    private static String pick(Random rng, String[] xs) {
        return xs[rng.nextInt(xs.length)];
    }
}
