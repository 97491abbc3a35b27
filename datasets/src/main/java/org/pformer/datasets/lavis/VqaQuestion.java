package org.pformer.datasets.lavis;

/** A question of the official VQAv2 / OK-VQA questions file: {@code {"image_id", "question", "question_id"}}. */
public record VqaQuestion(long imageId, String question, long questionId) {}
