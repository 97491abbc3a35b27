package org.pformer.model.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The report of a GQA evaluation ({@code report.json}): exact-match accuracy in percent after the VQA answer
 * normalisation. The LAVIS GQA layout carries no question types, so there is no per-type breakdown.
 *
 * @param task {@code gqa}
 * @param questions number of questions scored (every question of the file, once)
 * @param overall exact-match accuracy
 * @param perDomain accuracy per image domain when a domain map was given, else absent
 * @param emptyAnswers predictions that decoded to the empty string
 * @param decoding the prompt and beam-search settings used
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GqaEvalReport(String task, int questions, double overall, Map<String, Double> perDomain,
        int emptyAnswers, DecodingSettings decoding) {}
