package org.pformer.metrics.caption;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Caption metrics of one evaluation set, keyed as the COCO caption evaluator keys them ({@code Bleu_1} ..
 * {@code Bleu_4}, {@code METEOR}, {@code ROUGE_L}, {@code CIDEr}, {@code SPICE}).
 *
 * @param images      number of images scored
 * @param corpus      corpus score per metric (only metrics that were computed)
 * @param perImage    image id to (metric to score), in the order the references were given
 * @param unavailable metric to the reason it could not be computed (never given a number)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CaptionReport(int images, Map<String, Double> corpus, Map<String, Map<String, Double>> perImage,
        Map<String, String> unavailable) {

    public CaptionReport {
        corpus = copy(corpus);
        unavailable = copy(unavailable);
        Map<String, Map<String, Double>> images2 = new LinkedHashMap<>();
        perImage.forEach((k, v) -> images2.put(k, copy(v)));
        perImage = java.util.Collections.unmodifiableMap(images2);
    }

    private static <V> Map<String, V> copy(Map<String, V> m) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** The corpus score of a metric, empty when it was not computed. */
    public OptionalDouble score(CaptionMetric metric) {
        Double v = corpus.get(metric.key());
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** One line per metric, e.g. {@code CIDEr: 1.0832} or {@code METEOR: unavailable (PFORMER_METEOR_JAR is not set)}. */
    public List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        for (CaptionMetric m : CaptionMetric.values()) {
            Double v = corpus.get(m.key());
            if (v != null) {
                lines.add(String.format(Locale.ROOT, "%s: %.4f", m.key(), v));
            } else if (unavailable.containsKey(m.key())) {
                lines.add(m.key() + ": unavailable (" + unavailable.get(m.key()) + ")");
            }
        }
        return lines;
    }
}
