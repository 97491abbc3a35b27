package org.pformer.metrics.vqa;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One question of an official-format VQA annotation file ({@code annotations[i]} of VQAv2 / OK-VQA
 * {@code *_annotations.json}); unknown fields (image_id, multiple_choice_answer, ...) are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VqaAnnotation(@JsonProperty("question_id") long questionId,
        @JsonProperty("question_type") String questionType, @JsonProperty("answer_type") String answerType,
        @JsonProperty("answers") List<Answer> answers) {

    /** One annotator's answer. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Answer(@JsonProperty("answer") String answer,
            @JsonProperty("answer_confidence") String answerConfidence, @JsonProperty("answer_id") Integer answerId) {
        public static Answer of(String answer) {
            return new Answer(answer, null, null);
        }
    }

    /** The whole annotation file: {@code {"annotations": [...]}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record File(@JsonProperty("annotations") List<VqaAnnotation> annotations) {
    }
}
