package org.pformer.metrics.vqa;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The official VQA accuracy: for each question, each of the n annotator answers is left out in turn and the
 * prediction scores min(1, matches among the other n-1 / 3); the question's accuracy is the mean over the n
 * subsets; overall, per question type and per answer type are means over questions (percent).
 *
 * <p>Two readings of the evaluator exist, selectable by {@link Variant}; they differ only in which answers are
 * normalised ({@link VqaAnswerNormalizer}) and when. Leave-one-out is by position (the evaluator excludes by dict
 * inequality, which is the same thing for its files, where every answer has its own {@code answer_id}).
 */
public final class VqaAccuracy {
    /** Which evaluator's answer handling to reproduce. */
    public enum Variant {
        /**
         * The VQA API's current vqaEval.py (the challenge evaluator), the default: answers and prediction get
         * {@code \n}/{@code \t} replaced and are stripped; only when the annotators disagree (more than one distinct
         * answer) are the answers AND the prediction normalised. So with 10 identical answers the raw prediction
         * must equal them exactly.
         */
        OFFICIAL,
        /**
         * LAVIS's copy (lavis/common/vqa_tools/vqa_eval.py), which BLIP-2's and P-Former's reference code run: the
         * prediction is always cleaned and fully normalised; the answers, only when they disagree, get the
         * punctuation step alone (no number words, articles or contractions), so the annotation file is expected
         * to be in normal form already (the official files are).
         */
        LAVIS
    }

    private VqaAccuracy() {
    }

    /** {@link Variant#OFFICIAL} accuracy. */
    public static VqaReport score(List<VqaPrediction> predictions, List<VqaAnnotation> annotations) {
        return score(predictions, annotations, Variant.OFFICIAL);
    }

    /**
     * @throws IllegalArgumentException naming the question when a prediction is missing, duplicated, names a
     *                                  question not annotated, or an annotation lacks answers or types
     */
    public static VqaReport score(List<VqaPrediction> predictions, List<VqaAnnotation> annotations, Variant variant) {
        Map<Long, String> predicted = predictionsByQuestion(predictions, annotations);
        Map<Long, Double> perQuestion = new LinkedHashMap<>();
        Map<String, List<Double>> byQuestionType = new LinkedHashMap<>();
        Map<String, List<Double>> byAnswerType = new LinkedHashMap<>();
        List<Double> all = new ArrayList<>(annotations.size());
        for (VqaAnnotation ann : annotations) {
            double acc = questionAccuracy(ann, predicted.get(ann.questionId()), variant);
            all.add(acc);
            perQuestion.put(ann.questionId(), 100 * acc);
            byQuestionType.computeIfAbsent(ann.questionType(), k -> new ArrayList<>()).add(acc);
            byAnswerType.computeIfAbsent(ann.answerType(), k -> new ArrayList<>()).add(acc);
        }
        Map<String, Double> qt = new LinkedHashMap<>();
        byQuestionType.forEach((k, v) -> qt.put(k, percentMean(v)));
        Map<String, Double> at = new LinkedHashMap<>();
        byAnswerType.forEach((k, v) -> at.put(k, percentMean(v)));
        return new VqaReport(variant, annotations.size(), percentMean(all), qt, at, perQuestion);
    }

    /** Accuracy in [0, 1] of one prediction for one annotated question. */
    public static double questionAccuracy(VqaAnnotation annotation, String prediction, Variant variant) {
        int n = annotation.answers().size();
        String[] answers = new String[n];
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String a = annotation.answers().get(i).answer();
            answers[i] = variant == Variant.OFFICIAL ? VqaAnswerNormalizer.clean(a) : a;
            distinct.add(answers[i]);
        }
        String res = VqaAnswerNormalizer.clean(prediction);
        boolean disagree = distinct.size() > 1;
        if (variant == Variant.LAVIS || disagree) {
            res = VqaAnswerNormalizer.normalize(res);
        }
        if (disagree) {
            for (int i = 0; i < n; i++) {
                answers[i] = variant == Variant.OFFICIAL ? VqaAnswerNormalizer.normalize(answers[i])
                        : VqaAnswerNormalizer.processPunctuation(answers[i]);
            }
        }
        int matching = 0;
        for (String a : answers) {
            if (a.equals(res)) {
                matching++;
            }
        }
        double sum = 0;
        for (String a : answers) {
            int others = matching - (a.equals(res) ? 1 : 0);
            sum += Math.min(1, others / 3.0);
        }
        return sum / n;
    }

    /** {@code 100 * sum(xs) / len(xs)} in the evaluator's order of operations. */
    private static double percentMean(List<Double> xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return 100 * sum / xs.size();
    }

    private static Map<Long, String> predictionsByQuestion(List<VqaPrediction> predictions,
            List<VqaAnnotation> annotations) {
        if (annotations.isEmpty()) {
            throw new IllegalArgumentException("no VQA annotations to score against");
        }
        Map<Long, String> predicted = new LinkedHashMap<>();
        for (VqaPrediction p : predictions) {
            if (p.answer() == null) {
                throw new IllegalArgumentException("prediction for question " + p.questionId() + " has no answer");
            }
            if (predicted.put(p.questionId(), p.answer()) != null) {
                throw new IllegalArgumentException("question " + p.questionId() + " is predicted more than once");
            }
        }
        Set<Long> annotated = new HashSet<>();
        List<Long> missing = new ArrayList<>();
        for (VqaAnnotation a : annotations) {
            if (!annotated.add(a.questionId())) {
                throw new IllegalArgumentException("question " + a.questionId() + " is annotated more than once");
            }
            if (a.answers() == null || a.answers().isEmpty()) {
                throw new IllegalArgumentException("annotation of question " + a.questionId() + " has no answers");
            }
            for (VqaAnnotation.Answer ans : a.answers()) {
                if (ans == null || ans.answer() == null) {
                    throw new IllegalArgumentException("annotation of question " + a.questionId()
                            + " has an answer without 'answer' text");
                }
            }
            if (a.questionType() == null || a.answerType() == null) {
                throw new IllegalArgumentException("annotation of question " + a.questionId()
                        + " lacks 'question_type' or 'answer_type'");
            }
            if (!predicted.containsKey(a.questionId())) {
                missing.add(a.questionId());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(missing.size() + " annotated question(s) have no prediction, e.g. "
                    + missing.subList(0, Math.min(10, missing.size())));
        }
        for (Long q : predicted.keySet()) {
            if (!annotated.contains(q)) {
                throw new IllegalArgumentException("prediction for question " + q + " has no annotation");
            }
        }
        return predicted;
    }
}
