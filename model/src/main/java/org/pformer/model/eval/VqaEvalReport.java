package org.pformer.model.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The report of a VQAv2 / OK-VQA evaluation ({@code report.json}), accuracies in percent (unrounded; the official
 * evaluator prints them rounded to two decimals).
 *
 * @param task e.g. {@code vqav2}, {@code okvqa}
 * @param variant which reading of the official evaluator scored it ({@code OFFICIAL} or {@code LAVIS})
 * @param questions number of questions scored (every question of the file, once)
 * @param overall the official VQA accuracy
 * @param perQuestionType accuracy per {@code question_type} of the annotations
 * @param perAnswerType accuracy per {@code answer_type} ({@code yes/no}, {@code number}, {@code other})
 * @param perDomain accuracy per image domain when a domain map was given (the world's {@code domains.json}),
 *     else absent
 * @param emptyAnswers predictions that decoded to the empty string (scored as given)
 * @param decoding the prompt and beam-search settings used
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VqaEvalReport(String task, String variant, int questions, double overall,
        Map<String, Double> perQuestionType, Map<String, Double> perAnswerType, Map<String, Double> perDomain,
        int emptyAnswers, DecodingSettings decoding) {}
