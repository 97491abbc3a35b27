package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One annotator's answer: {@code {"answer", "answer_confidence", "answer_id"}}; OK-VQA adds {@code raw_answer}.
 * Confidence and raw answer are optional.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VqaAnswer(String answer, String answerConfidence, int answerId, String rawAnswer) {

    public VqaAnswer(String answer, String answerConfidence, int answerId) {
        this(answer, answerConfidence, answerId, null);
    }
}
