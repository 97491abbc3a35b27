package org.pformer.datasets.lavis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import org.pformer.datasets.io.MalformedDataException;

/**
 * Reads VQAv2 / OK-VQA in the official two-file layout: {@code {"questions": [...]}} and
 * {@code {"annotations": [...]}}. Images are named from the image id by a {@link String#format} template, e.g.
 * {@code val2014/COCO_val2014_%012d.jpg} for COCO.
 */
public final class VqaDataset {

    /** The COCO val2014 image naming of VQAv2 / OK-VQA. */
    public static final String COCO_VAL2014_TEMPLATE = "val2014/COCO_val2014_%012d.jpg";

    private VqaDataset() {}

    public static List<VqaQuestion> readQuestions(Path file) throws IOException {
        return AnnotationFile.readAll(file, "questions",
                r -> new VqaQuestion(r.integer("image_id"), r.text("question"), r.integer("question_id")));
    }

    public static List<VqaAnnotation> readAnnotations(Path file) throws IOException {
        return AnnotationFile.readAll(file, "annotations", r -> {
            List<VqaAnswer> answers = new ArrayList<>();
            for (AnnotationFile.Fields a : r.objects("answers")) {
                answers.add(new VqaAnswer(a.text("answer"), a.optionalText("answer_confidence"),
                        a.has("answer_id") ? (int) a.integer("answer_id") : answers.size() + 1,
                        a.optionalText("raw_answer")));
            }
            if (answers.isEmpty()) {
                throw r.error("answers", "a non-empty list of answers");
            }
            return new VqaAnnotation(r.integer("question_id"), r.integer("image_id"),
                    r.optionalText("question_type"), r.optionalText("answer_type"), answers,
                    r.optionalText("multiple_choice_answer"));
        });
    }

    /**
     * Questions joined with their annotations, in question order.
     *
     * @param annotationsFile null for a split without answers (test-dev)
     * @param imageTemplate a {@link String#format} pattern applied to the image id
     */
    public static List<VqaExample> read(Path questionsFile, Path annotationsFile, String imageTemplate)
            throws IOException {
        try {
            String.format(imageTemplate, 1L);
        } catch (IllegalFormatException e) {
            throw new IllegalArgumentException("image template '" + imageTemplate + "' must format one integer "
                    + "image id, e.g. " + COCO_VAL2014_TEMPLATE, e);
        }
        List<VqaQuestion> questions = readQuestions(questionsFile);
        Map<Long, VqaAnnotation> byQuestion = new HashMap<>();
        if (annotationsFile != null) {
            Map<Long, VqaQuestion> known = new HashMap<>();
            questions.forEach(q -> known.put(q.questionId(), q));
            for (VqaAnnotation a : readAnnotations(annotationsFile)) {
                VqaQuestion q = known.get(a.questionId());
                if (q == null) {
                    throw new MalformedDataException(annotationsFile.toString(), "annotation of question_id "
                            + a.questionId() + ", which " + questionsFile + " does not contain");
                }
                if (q.imageId() != a.imageId()) {
                    throw new MalformedDataException(annotationsFile.toString(), "question_id " + a.questionId()
                            + " has image_id " + a.imageId() + " but " + q.imageId() + " in " + questionsFile);
                }
                if (byQuestion.put(a.questionId(), a) != null) {
                    throw new MalformedDataException(annotationsFile.toString(), "question_id " + a.questionId()
                            + " is annotated twice");
                }
            }
        }
        List<VqaExample> out = new ArrayList<>(questions.size());
        for (VqaQuestion q : questions) {
            out.add(new VqaExample(q, byQuestion.get(q.questionId()), String.format(imageTemplate, q.imageId())));
        }
        return out;
    }
}
