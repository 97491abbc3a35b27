package org.pformer.model.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pformer.config.EvalConfig;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.lavis.CocoCaptions;
import org.pformer.datasets.lavis.ImageCaptions;
import org.pformer.datasets.lavis.NocapsDomain;
import org.pformer.datasets.lavis.NocapsImage;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.metrics.caption.CaptionMetric;
import org.pformer.metrics.caption.CaptionMetrics;
import org.pformer.metrics.caption.CaptionReport;
import org.pformer.model.blip2.Blip2Stage2;

/**
 * Zero-shot captioning with BLIP-2 stage 2 (METHOD.md "Evaluation"; LAVIS {@code Blip2OPT.generate} with the
 * prompt "a photo of", the caption being what the LLM writes after it), scored as the COCO caption evaluator
 * scores it ({@link CaptionMetrics}): NoCaps per domain (in / near / out) and overall, COCO Karpathy test overall.
 *
 * <p>Outputs: the predictions {@code [{"image_id": …, "caption": …}]} (one per image, in the list's order) and a
 * {@link CaptionEvalReport}. Inputs are validated before any model work; nothing is written when the evaluation
 * fails or is cancelled. Not thread-safe.
 */
public final class CaptionEvaluator {

    /** NoCaps' task name in the report. */
    public static final String NOCAPS = "nocaps";
    /** COCO Karpathy test's task name in the report. */
    public static final String COCO_KARPATHY_TEST = "coco_karpathy_test";

    /**
     * @param nocaps decoding for NoCaps ({@link DecodingSettings#nocaps()})
     * @param coco decoding for COCO Karpathy ({@link DecodingSettings#cocoCaption()})
     * @param batchSize images per generation batch
     */
    public record Options(DecodingSettings nocaps, DecodingSettings coco, int batchSize) {
        public Options {
            Objects.requireNonNull(nocaps, "nocaps");
            Objects.requireNonNull(coco, "coco");
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
        }

        /** METHOD.md's settings, batches of 16. */
        public static Options defaults() {
            return new Options(DecodingSettings.nocaps(), DecodingSettings.cocoCaption(), 16);
        }

        /** The pipeline configuration's {@code eval.caption}. */
        public static Options of(EvalConfig.Caption c) {
            return new Options(DecodingSettings.of(c.nocaps()), DecodingSettings.of(c.coco()), c.batchSize());
        }
    }

    /**
     * A caption test set: the LAVIS image list and the COCO-format references.
     *
     * @param images NoCaps: {@code [{"image", "img_id", "domain"?}]}; COCO: {@code [{"image", "caption": [...]}]}
     * @param references {@code {"images": [{"id", "file_name"?, "domain"?}], "annotations": [{"image_id",
     *     "caption"}]}}; every listed image needs at least one caption
     * @param imageRoot the directory {@code image} fields are relative to
     */
    public record CaptionFiles(Path images, Path references, Path imageRoot) {}

    /** One entry of the predictions file. */
    public record CaptionPrediction(@JsonProperty("image_id") long imageId, @JsonProperty("caption") String caption) {}

    /** An image to caption: id, file and, for NoCaps, its domain. */
    private record Item(long id, EvalImages.Ref image, String domain) {}

    private static final Pattern TRAILING_DIGITS = Pattern.compile("(\\d+)\\.[A-Za-z]+$");

    private final Stage2Decoder decoder;
    private final CaptionMetrics metrics;
    private final Options options;

    /**
     * @param model BLIP-2 stage 2 with its weights loaded
     * @param tokenizer the frozen LLM's tokenizer
     * @param preprocessor the eval image transform
     * @param metrics the caption scorer (owned by the caller, who closes it)
     */
    public CaptionEvaluator(Blip2Stage2 model, LlmTokenizer tokenizer, ImagePreprocessor preprocessor,
            CaptionMetrics metrics, Options options) {
        this.decoder = new Stage2Decoder(model, tokenizer, preprocessor);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Captions every NoCaps image and reports CIDEr (and SPICE when available) per domain and overall. An image's
     * domain comes from the image list or, when absent there, from the references' {@code images}.
     *
     * @param progress called after each batch with (images captioned, images)
     */
    public CaptionEvalReport evaluateNocaps(CaptionFiles files, Path predictions, Path report, EvalProgress progress)
            throws IOException {
        EvalFiles.requireFile(files.images(), "NoCaps image list");
        EvalFiles.requireFile(files.references(), "NoCaps reference captions");
        List<NocapsImage> list = NocapsImage.read(files.images());
        CocoCaptions refs = CocoCaptions.read(files.references());
        Map<Long, NocapsDomain> refDomains = new HashMap<>();
        refs.images().forEach(i -> {
            if (i.domain() != null) {
                refDomains.put(i.id(), i.domain());
            }
        });
        List<Item> items = new ArrayList<>(list.size());
        for (NocapsImage img : list) {
            NocapsDomain d = img.domain() != null ? img.domain() : refDomains.get(img.imgId());
            if (d == null) {
                throw new MalformedDataException(files.images().toString(), "img_id " + img.imgId()
                        + " has no 'domain' here nor in " + files.references() + " (expected in-domain, near-domain "
                        + "or out-domain)");
            }
            items.add(new Item(img.imgId(), new EvalImages.Ref(EvalImages.resolve(files.imageRoot(), img.image()),
                    "img_id " + img.imgId() + " of " + files.images()), d.label()));
        }
        Scored s = captionAndScore(NOCAPS, items, files, refs, options.nocaps(), progress);
        Map<String, CaptionReport> byDomain = s.byDomain();
        Map<String, Double> cider = corpus(byDomain, CaptionMetric.CIDER);
        Map<String, Double> spice = corpus(byDomain, CaptionMetric.SPICE);
        String spiceProblem = byDomain.get(CaptionMetrics.OVERALL).unavailable().get(CaptionMetric.SPICE.key());
        CaptionEvalReport out = new CaptionEvalReport(NOCAPS, items.size(), null, cider,
                spiceProblem == null ? spice : null, spiceProblem, allCorpus(byDomain), unavailable(byDomain),
                s.empty(), options.nocaps());
        EvalFiles.write(predictions, s.predictions());
        EvalFiles.write(report, out);
        return out;
    }

    /**
     * Captions every COCO Karpathy test image and reports BLEU-4 and CIDEr (plus every other computed metric).
     * Images are matched to the references by {@code file_name}, or else by the number that ends the file name
     * (LAVIS's rule for COCO: {@code COCO_val2014_000000391895.jpg} is image 391895).
     *
     * @param progress called after each batch with (images captioned, images)
     */
    public CaptionEvalReport evaluateCoco(CaptionFiles files, Path predictions, Path report, EvalProgress progress)
            throws IOException {
        EvalFiles.requireFile(files.images(), "COCO Karpathy image list");
        EvalFiles.requireFile(files.references(), "COCO reference captions");
        List<ImageCaptions> list = ImageCaptions.read(files.images());
        CocoCaptions refs = CocoCaptions.read(files.references());
        Map<String, Long> byFileName = new HashMap<>();
        refs.images().forEach(i -> {
            if (i.fileName() != null) {
                byFileName.put(i.fileName(), i.id());
            }
        });
        List<Item> items = new ArrayList<>(list.size());
        for (int k = 0; k < list.size(); k++) {
            String image = list.get(k).image();
            Long id = byFileName.get(image);
            if (id == null) {
                id = lavisCocoId(image);
            }
            if (id == null) {
                throw new MalformedDataException(files.images().toString(), "entry " + k + ": 'image' " + image
                        + " matches no 'file_name' of " + files.references() + " and does not end in an image id");
            }
            items.add(new Item(id, new EvalImages.Ref(EvalImages.resolve(files.imageRoot(), image),
                    "entry " + k + " of " + files.images()), CaptionMetrics.OVERALL));
        }
        Scored s = captionAndScore(COCO_KARPATHY_TEST, items, files, refs, options.coco(), progress);
        CaptionReport overall = s.byDomain().get(CaptionMetrics.OVERALL);
        Map<String, Double> cider = corpus(s.byDomain(), CaptionMetric.CIDER);
        String spiceProblem = overall.unavailable().get(CaptionMetric.SPICE.key());
        CaptionEvalReport out = new CaptionEvalReport(COCO_KARPATHY_TEST, items.size(),
                overall.corpus().get(CaptionMetric.BLEU_4.key()), cider, spiceProblem == null
                        ? corpus(s.byDomain(), CaptionMetric.SPICE) : null, spiceProblem, allCorpus(s.byDomain()),
                unavailable(s.byDomain()), s.empty(), options.coco());
        EvalFiles.write(predictions, s.predictions());
        EvalFiles.write(report, out);
        return out;
    }

    /** The image id LAVIS derives from a COCO file name (the digits before the extension), or null. */
    static Long lavisCocoId(String image) {
        Matcher m = TRAILING_DIGITS.matcher(image);
        if (!m.find()) {
            return null;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private record Scored(List<CaptionPrediction> predictions, Map<String, CaptionReport> byDomain, int empty) {}

    private Scored captionAndScore(String task, List<Item> items, CaptionFiles files, CocoCaptions refs,
            DecodingSettings decoding, EvalProgress progress) throws IOException {
        if (items.isEmpty()) {
            throw new MalformedDataException(files.images().toString(), "no images in the list");
        }
        Map<Long, List<String>> refsById = refs.referencesByImage();
        Map<String, List<String>> references = new LinkedHashMap<>();
        Map<String, String> domainOf = new LinkedHashMap<>();
        for (Item it : items) {
            List<String> r = refsById.get(it.id());
            if (r == null || r.isEmpty()) {
                throw new MalformedDataException(files.references().toString(), "image_id " + it.id() + " ("
                        + it.image().owner() + ") has no reference caption (expected entries with that 'image_id'"
                        + " in 'annotations')");
            }
            String key = Long.toString(it.id());
            if (references.put(key, r) != null) {
                throw new MalformedDataException(files.images().toString(), "image id " + it.id()
                        + " is listed more than once (" + it.image().owner() + ")");
            }
            domainOf.put(key, it.domain());
        }
        List<EvalImages.Ref> images = items.stream().map(Item::image).toList();
        EvalImages.requireAll(images);

        List<String> captions = new ArrayList<>(items.size());
        Batches.run(task, items.size(), options.batchSize(), 0, items.size(), progress, (from, to) -> {
            List<String> prompts = java.util.Collections.nCopies(to - from, decoding.prompt());
            captions.addAll(decoder.decode(images.subList(from, to), prompts, decoding));
        });
        List<CaptionPrediction> predictions = new ArrayList<>(items.size());
        Map<String, String> predicted = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            predictions.add(new CaptionPrediction(items.get(i).id(), captions.get(i)));
            predicted.put(Long.toString(items.get(i).id()), captions.get(i));
        }
        Map<String, CaptionReport> byDomain = score(metrics, references, predicted, domainOf);
        int empty = (int) captions.stream().filter(String::isEmpty).count();
        return new Scored(predictions, byDomain, empty);
    }

    /**
     * Scores predictions per domain and overall (a single "overall" entry when every image is in the domain
     * {@link CaptionMetrics#OVERALL}, as for COCO).
     */
    static Map<String, CaptionReport> score(CaptionMetrics metrics, Map<String, List<String>> references,
            Map<String, String> predicted, Map<String, String> domainOf) {
        boolean single = domainOf.values().stream().allMatch(CaptionMetrics.OVERALL::equals);
        if (single) {
            return Map.of(CaptionMetrics.OVERALL, metrics.evaluate(references, predicted));
        }
        return metrics.evaluateByDomain(references, predicted, domainOf);
    }

    /** One metric's corpus score per domain (domains where it was not computed are left out). */
    static Map<String, Double> corpus(Map<String, CaptionReport> byDomain, CaptionMetric metric) {
        Map<String, Double> out = new LinkedHashMap<>();
        byDomain.forEach((d, r) -> r.score(metric).ifPresent(v -> out.put(d, v)));
        return out;
    }

    private static Map<String, Map<String, Double>> allCorpus(Map<String, CaptionReport> byDomain) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        byDomain.forEach((d, r) -> out.put(d, r.corpus()));
        return out;
    }

    private static Map<String, String> unavailable(Map<String, CaptionReport> byDomain) {
        return byDomain.get(CaptionMetrics.OVERALL).unavailable();
    }
}
