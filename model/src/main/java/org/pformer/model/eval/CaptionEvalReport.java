package org.pformer.model.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The report of a captioning evaluation ({@code report.json}). Scores are on the COCO caption evaluator's scale
 * (CIDEr 1.0 = the paper's 100). Metrics that could not be computed (METEOR / SPICE without their jars) are never
 * given a number: they are listed in {@code unavailable} with the reason.
 *
 * <p>NoCaps ({@code task = "nocaps"}): {@code cider} and {@code spice} hold {@code in-domain}, {@code near-domain},
 * {@code out-domain} and {@code overall}; {@code spice} is absent and {@code spice_unavailable} says why when the
 * scorer is not available; {@code metrics} holds every computed metric per domain. COCO Karpathy
 * ({@code task = "coco_karpathy_test"}): {@code bleu_4} and {@code cider} are the corpus scores, {@code metrics}
 * has the single key {@code overall}.
 *
 * @param task what was evaluated
 * @param images number of images captioned (every image of the list, once)
 * @param bleu4 COCO: corpus BLEU-4 (closest reference length); absent for NoCaps
 * @param cider NoCaps: CIDEr-D per domain and overall; COCO: {@code {"overall": …}}
 * @param spice NoCaps: SPICE per domain and overall, absent when unavailable
 * @param spiceUnavailable why SPICE is missing, absent when it was computed
 * @param metrics every computed metric ({@code Bleu_1..4}, {@code METEOR}, {@code ROUGE_L}, {@code CIDEr},
 *     {@code SPICE}) per domain ({@code overall} always)
 * @param unavailable metric to the reason it was not computed
 * @param emptyCaptions captions that decoded to the empty string (scored as given)
 * @param decoding the prompt and beam-search settings used
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptionEvalReport(String task, int images, @JsonProperty("bleu_4") Double bleu4, Map<String, Double> cider,
        Map<String, Double> spice, String spiceUnavailable, Map<String, Map<String, Double>> metrics,
        Map<String, String> unavailable, int emptyCaptions, DecodingSettings decoding) {}
