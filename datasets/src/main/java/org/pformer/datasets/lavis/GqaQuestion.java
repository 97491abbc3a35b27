package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A GQA question in the LAVIS layout: {@code {"image", "question", "question_id", "answer", "fullAnswer"}}.
 * {@code question_id} (the record index when absent), {@code answer} and {@code fullAnswer} are optional.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GqaQuestion(String image, String question, String questionId, String answer,
                          @JsonProperty("fullAnswer") String fullAnswer) {

    public static List<GqaQuestion> read(Path file) throws IOException {
        int[] index = {0};
        return AnnotationFile.readAll(file, null, r -> {
            String id = r.has("question_id") ? r.id("question_id") : String.valueOf(index[0]);
            index[0]++;
            return new GqaQuestion(r.text("image"), r.text("question"), id, r.optionalText("answer"),
                    r.optionalText("fullAnswer"));
        });
    }
}
