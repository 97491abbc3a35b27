package org.pformer.metrics.caption;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caption metrics as the COCO caption evaluator (pycocoevalcap's {@code COCOEvalCap}) computes them: PTB
 * tokenisation of references and predictions, then BLEU-1..4, METEOR 1.5, ROUGE-L, CIDEr-D and SPICE. BLEU,
 * ROUGE-L, CIDEr-D and the tokenisation run in this JVM; METEOR and SPICE run the evaluator's own jars (see
 * {@link ExternalScorerConfig}) and are reported as unavailable, with the reason, when those are missing or fail.
 *
 * <p>Holds a running METEOR process once one was needed: close it when done. Not thread-safe.
 */
public final class CaptionMetrics implements AutoCloseable {
    /** NoCaps' three domains; {@link #evaluateByDomain} adds {@link #OVERALL}. */
    public static final List<String> NOCAPS_DOMAINS = List.of("in-domain", "near-domain", "out-domain");
    public static final String OVERALL = "overall";

    private static final Logger LOG = LoggerFactory.getLogger(CaptionMetrics.class);

    private final ExternalScorerConfig config;
    private final CocoPtbTokenizer tokenizer = new CocoPtbTokenizer();
    private MeteorScorer meteor;

    public CaptionMetrics(ExternalScorerConfig config) {
        this.config = config;
    }

    /** Metrics with the external scorers found from the environment ({@link ExternalScorerConfig#fromEnvironment}). */
    public static CaptionMetrics fromEnvironment() {
        return new CaptionMetrics(ExternalScorerConfig.fromEnvironment());
    }

    /**
     * Scores one prediction per image against that image's references (raw text; tokenised here).
     *
     * @param references  image id to its reference captions (at least one each)
     * @param predictions image id to the predicted caption; exactly the images of {@code references}
     * @throws IllegalArgumentException naming the image, when an image lacks references or a prediction, or a
     *                                  prediction names an image without references
     */
    public CaptionReport evaluate(Map<String, List<String>> references, Map<String, String> predictions) {
        return score(tokenize(references, predictions));
    }

    /**
     * NoCaps-style evaluation: every domain is scored as an evaluation of its own (CIDEr's document frequencies,
     * BLEU's pooled counts and METEOR's aggregate come from that domain's images only, as in the NoCaps
     * evaluation), plus {@link #OVERALL} over all images. Domains are reported in {@link #NOCAPS_DOMAINS} order
     * first, then any other domain name in order of appearance; a domain without images is left out.
     *
     * @param domainOfImage image id to its domain name; must cover every image
     */
    public Map<String, CaptionReport> evaluateByDomain(Map<String, List<String>> references,
            Map<String, String> predictions, Map<String, String> domainOfImage) {
        Tokenized all = tokenize(references, predictions);
        Map<String, List<Integer>> members = new LinkedHashMap<>();
        NOCAPS_DOMAINS.forEach(d -> members.put(d, new ArrayList<>()));
        for (int i = 0; i < all.ids.size(); i++) {
            String domain = domainOfImage.get(all.ids.get(i));
            if (domain == null) {
                throw new IllegalArgumentException("image '" + all.ids.get(i) + "' has no domain in the domain map");
            }
            members.computeIfAbsent(domain, d -> new ArrayList<>()).add(i);
        }
        Map<String, CaptionReport> out = new LinkedHashMap<>();
        members.forEach((domain, idx) -> {
            if (!idx.isEmpty()) {
                out.put(domain, score(all.subset(idx)));
            }
        });
        out.put(OVERALL, score(all));
        return out;
    }

    /** Tokenised captions of the images, in the references' order. */
    private record Tokenized(List<String> ids, List<String> predictions, List<List<String>> references) {
        Tokenized subset(List<Integer> idx) {
            List<String> i2 = new ArrayList<>();
            List<String> p2 = new ArrayList<>();
            List<List<String>> r2 = new ArrayList<>();
            for (int i : idx) {
                i2.add(ids.get(i));
                p2.add(predictions.get(i));
                r2.add(references.get(i));
            }
            return new Tokenized(i2, p2, r2);
        }
    }

    private Tokenized tokenize(Map<String, List<String>> references, Map<String, String> predictions) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("no images to evaluate: the reference map is empty");
        }
        for (String id : predictions.keySet()) {
            if (!references.containsKey(id)) {
                throw new IllegalArgumentException("prediction for image '" + id + "' has no reference captions "
                        + "(the image is not in the references)");
            }
        }
        List<String> ids = new ArrayList<>(references.keySet());
        for (String id : ids) {
            List<String> refs = references.get(id);
            if (refs == null || refs.isEmpty()) {
                throw new IllegalArgumentException("image '" + id + "' has no reference captions");
            }
            for (int j = 0; j < refs.size(); j++) {
                if (refs.get(j) == null) {
                    throw new IllegalArgumentException("reference " + j + " of image '" + id + "' is null");
                }
            }
            if (predictions.get(id) == null) {
                throw new IllegalArgumentException("image '" + id + "' has reference captions but no prediction");
            }
        }
        List<String> preds = ids.parallelStream().map(id -> tokenizer.tokenize(predictions.get(id))).toList();
        List<List<String>> refs = ids.parallelStream()
                .map(id -> references.get(id).stream().map(tokenizer::tokenize).toList()).toList();
        return new Tokenized(ids, preds, refs);
    }

    private CaptionReport score(Tokenized t) {
        Map<CaptionMetric, MetricScores> scores = new EnumMap<>(CaptionMetric.class);
        Map<String, String> unavailable = new LinkedHashMap<>();
        CountedCorpus counted = CountedCorpus.of(t.predictions, t.references);
        counted.bleu().forEach(s -> scores.put(s.metric(), s));
        external(CaptionMetric.METEOR, config.meteorProblem(),
                () -> meteorScorer().score(t.predictions, t.references), this::closeMeteor, scores, unavailable);
        scores.put(CaptionMetric.ROUGE_L, RougeL.score(t.predictions, t.references));
        scores.put(CaptionMetric.CIDER, counted.cider());
        external(CaptionMetric.SPICE, config.spiceProblem(),
                () -> SpiceScorer.score(config, t.ids, t.predictions, t.references), () -> { }, scores, unavailable);

        Map<String, Double> corpus = new LinkedHashMap<>();
        Map<String, Map<String, Double>> perImage = new LinkedHashMap<>();
        t.ids.forEach(id -> perImage.put(id, new LinkedHashMap<>()));
        scores.forEach((metric, s) -> {
            corpus.put(metric.key(), s.corpus());
            for (int i = 0; i < t.ids.size(); i++) {
                perImage.get(t.ids.get(i)).put(metric.key(), s.perImage()[i]);
            }
        });
        return new CaptionReport(t.ids.size(), corpus, perImage, unavailable);
    }

    /** Runs one of the evaluator's jars; on any problem the metric is reported unavailable with the reason. */
    private static void external(CaptionMetric metric, Optional<String> problem, ExternalRun run, Runnable onFailure,
            Map<CaptionMetric, MetricScores> scores, Map<String, String> unavailable) {
        if (problem.isPresent()) {
            unavailable.put(metric.key(), problem.get());
            return;
        }
        try {
            scores.put(metric, run.run());
        } catch (IOException e) {
            unavailable.put(metric.key(), metric.key() + " failed: " + e.getMessage());
            LOG.error("{} unavailable: {}", metric.key(), e.getMessage());
            onFailure.run();
        }
    }

    @FunctionalInterface
    private interface ExternalRun {
        MetricScores run() throws IOException;
    }

    private MeteorScorer meteorScorer() throws IOException {
        if (meteor == null) {
            meteor = MeteorScorer.start(config.meteorJar().orElseThrow(), config.java());
        }
        return meteor;
    }

    private void closeMeteor() {
        if (meteor != null) {
            meteor.close();
            meteor = null;
        }
    }

    @Override
    public void close() {
        closeMeteor();
    }
}
