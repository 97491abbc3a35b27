package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An entry of the official VQAv2 / OK-VQA annotations file: {@code {"question_id", "image_id", "question_type",
 * "answer_type", "answers": [10 x {"answer", "answer_confidence", "answer_id"}], "multiple_choice_answer"}}.
 * Question type, answer type and multiple-choice answer are optional.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VqaAnnotation(long questionId, long imageId, String questionType, String answerType,
                            List<VqaAnswer> answers, String multipleChoiceAnswer) {

    public VqaAnnotation {
        answers = List.copyOf(answers);
    }

    /** The raw answer strings (usually 10), in annotator order. */
    public List<String> answerTexts() {
        return answers.stream().map(VqaAnswer::answer).toList();
    }
}
