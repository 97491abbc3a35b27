package org.pformer.metrics.vqa;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of an official-format VQA result file: {@code {"question_id": ..., "answer": ...}}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VqaPrediction(@JsonProperty("question_id") long questionId, @JsonProperty("answer") String answer) {
}
