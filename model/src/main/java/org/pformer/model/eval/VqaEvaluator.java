package org.pformer.model.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pformer.config.EvalConfig;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.lavis.GqaQuestion;
import org.pformer.datasets.lavis.VqaAnswer;
import org.pformer.datasets.lavis.VqaDataset;
import org.pformer.datasets.lavis.VqaExample;
import org.pformer.datasets.text.BlipQuestionCleaner;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.metrics.vqa.GqaAccuracy;
import org.pformer.metrics.vqa.GqaReport;
import org.pformer.metrics.vqa.VqaAccuracy;
import org.pformer.metrics.vqa.VqaAnnotation;
import org.pformer.metrics.vqa.VqaPrediction;
import org.pformer.metrics.vqa.VqaReport;
import org.pformer.model.blip2.Blip2Stage2;

/**
 * Zero-shot VQA with BLIP-2 stage 2 (METHOD.md "Evaluation"; LAVIS {@code Blip2OPT.predict_answers}): each
 * question is cleaned as LAVIS {@code pre_question}, put into the prompt {@code Question: {} Short answer:}, and
 * answered by beam search after the image's soft prompt. VQAv2 / OK-VQA are scored with the official VQA accuracy,
 * GQA by exact match after the same normalisation.
 *
 * <p>Outputs: the official result file {@code [{"question_id": …, "answer": …}]} (one entry per question, in the
 * questions file's order) and a report ({@link VqaEvalReport} / {@link GqaEvalReport}). Inputs are validated
 * before any model work; nothing is written when the evaluation fails or is cancelled. Not thread-safe.
 */
public final class VqaEvaluator {

    /**
     * @param decoding prompt and beam-search settings ({@link DecodingSettings#vqa()})
     * @param batchSize questions per generation batch
     * @param variant which reading of the official VQA evaluator scores VQAv2 / OK-VQA
     */
    public record Options(DecodingSettings decoding, int batchSize, VqaAccuracy.Variant variant) {
        public Options {
            Objects.requireNonNull(decoding, "decoding");
            Objects.requireNonNull(variant, "variant");
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            decoding.questionPrompt(""); // the prompt must have a slot for the question
        }

        /** METHOD.md's settings, batches of 16, the official evaluator. */
        public static Options defaults() {
            return new Options(DecodingSettings.vqa(), 16, VqaAccuracy.Variant.OFFICIAL);
        }

        /** The pipeline configuration's {@code eval.vqa}, scored by the official evaluator. */
        public static Options of(EvalConfig.Vqa c) {
            return new Options(DecodingSettings.of(c.generation()), c.batchSize(), VqaAccuracy.Variant.OFFICIAL);
        }
    }

    /**
     * The official two-file layout of VQAv2 / OK-VQA.
     *
     * @param questions {@code {"questions": [{"image_id", "question", "question_id"}]}}
     * @param annotations {@code {"annotations": [...]}} with 10 answers, {@code question_type} and
     *     {@code answer_type} per question; every question must be annotated
     * @param imageRoot the directory image paths are relative to
     * @param imageTemplate names an image from its id ({@link String#format}), e.g. {@code val2014/COCO_val2014_%012d.jpg}
     * @param domains optional {@code {"<question_id>": "<domain>"}} map for per-domain accuracy (null for none)
     */
    public record VqaFiles(Path questions, Path annotations, Path imageRoot, String imageTemplate, Path domains) {}

    /**
     * GQA in the LAVIS layout.
     *
     * @param questions {@code [{"image", "question", "question_id", "answer"}]}; every question needs an answer
     * @param imageRoot the directory {@code image} fields are relative to
     * @param domains optional {@code {"<question_id>": "<domain>"}} map (null for none)
     */
    public record GqaFiles(Path questions, Path imageRoot, Path domains) {}

    /** One entry of a GQA result file (GQA ids are strings). */
    public record GqaPrediction(@JsonProperty("question_id") String questionId,
            @JsonProperty("answer") String answer) {}

    private final Stage2Decoder decoder;
    private final Options options;
    private final BlipQuestionCleaner cleaner = new BlipQuestionCleaner();

    /**
     * @param model BLIP-2 stage 2 with its weights loaded (frozen ViT and LLM inside)
     * @param tokenizer the frozen LLM's tokenizer ("\n" ends the answer)
     * @param preprocessor the eval image transform (the model's input size)
     */
    public VqaEvaluator(Blip2Stage2 model, LlmTokenizer tokenizer, ImagePreprocessor preprocessor, Options options) {
        this.decoder = new Stage2Decoder(model, tokenizer, preprocessor);
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Answers every question of a VQAv2 / OK-VQA split and scores the answers.
     *
     * @param task the name in the report ({@code vqav2}, {@code okvqa})
     * @param results where the official result file is written
     * @param report where the {@link VqaEvalReport} is written
     * @param progress called after each batch with (questions answered, questions)
     * @throws java.nio.file.NoSuchFileException naming a missing input file or image
     * @throws MalformedDataException naming the file and field of bad input (e.g. a question without annotation)
     * @throws EvaluationCancelledException when the thread is interrupted
     */
    public VqaEvalReport evaluateVqa(String task, VqaFiles files, Path results, Path report, EvalProgress progress)
            throws IOException {
        VqaInput in = readVqa(files);
        Scored<VqaPrediction, VqaEvalReport> s = scoreVqa(task, in, answer(task, in.images(), in.questions(), progress),
                options);
        EvalFiles.write(results, s.predictions());
        EvalFiles.write(report, s.report());
        return s.report();
    }

    /**
     * Answers every GQA question and scores the answers by exact match.
     *
     * @param progress called after each batch with (questions answered, questions)
     */
    public GqaEvalReport evaluateGqa(GqaFiles files, Path results, Path report, EvalProgress progress)
            throws IOException {
        GqaInput in = readGqa(files);
        List<String> questions = in.questions().stream().map(GqaQuestion::question).toList();
        Scored<GqaPrediction, GqaEvalReport> s = scoreGqa(in, answer("gqa", in.images(), questions, progress),
                options);
        EvalFiles.write(results, s.predictions());
        EvalFiles.write(report, s.report());
        return s.report();
    }

    /** A VQAv2 / OK-VQA split, validated: questions in file order, their annotations, images and domains. */
    record VqaInput(List<VqaExample> examples, List<VqaAnnotation> annotations, List<EvalImages.Ref> images,
            Map<String, String> domains) {
        List<String> questions() {
            return examples.stream().map(e -> e.question().question()).toList();
        }
    }

    /** A GQA split, validated: questions in file order, answers by question id, images and domains. */
    record GqaInput(List<GqaQuestion> questions, Map<String, String> truth, List<EvalImages.Ref> images,
            Map<String, String> domains) {}

    /** The result file's entries and the report. */
    record Scored<P, R>(List<P> predictions, R report) {}

    /** Reads and checks a VQAv2 / OK-VQA split (every question annotated, every image present). */
    static VqaInput readVqa(VqaFiles files) throws IOException {
        EvalFiles.requireFile(files.questions(), "VQA questions file");
        EvalFiles.requireFile(files.annotations(), "VQA annotations file");
        List<VqaExample> examples = VqaDataset.read(files.questions(), files.annotations(), files.imageTemplate());
        if (examples.isEmpty()) {
            throw new MalformedDataException(files.questions().toString(), "no questions in 'questions'");
        }
        List<VqaAnnotation> annotations = new ArrayList<>(examples.size());
        List<EvalImages.Ref> images = new ArrayList<>(examples.size());
        List<String> ids = new ArrayList<>(examples.size());
        for (VqaExample e : examples) {
            annotations.add(scoringAnnotation(e, files));
            images.add(new EvalImages.Ref(EvalImages.resolve(files.imageRoot(), e.image()),
                    "question_id " + e.question().questionId() + " of " + files.questions()));
            ids.add(Long.toString(e.question().questionId()));
        }
        Map<String, String> domains = EvalFiles.readDomains(files.domains(), ids);
        EvalImages.requireAll(images);
        return new VqaInput(examples, annotations, images, domains);
    }

    /** Scores answers (one per question, in order) with the official VQA accuracy. */
    static Scored<VqaPrediction, VqaEvalReport> scoreVqa(String task, VqaInput in, List<String> answers,
            Options options) {
        List<VqaPrediction> predictions = new ArrayList<>(answers.size());
        for (int i = 0; i < answers.size(); i++) {
            predictions.add(new VqaPrediction(in.examples().get(i).question().questionId(), answers.get(i)));
        }
        VqaReport scored = VqaAccuracy.score(predictions, in.annotations(), options.variant());
        Map<String, Double> perDomain = null;
        if (in.domains() != null) {
            Map<String, Double> perQuestion = new LinkedHashMap<>();
            scored.perQuestion().forEach((q, acc) -> perQuestion.put(Long.toString(q), acc));
            perDomain = DomainMeans.of(perQuestion, in.domains());
        }
        return new Scored<>(predictions, new VqaEvalReport(task, options.variant().name(), scored.questions(),
                scored.overall(), scored.perQuestionType(), scored.perAnswerType(), perDomain, emptyCount(answers),
                options.decoding()));
    }

    /** Reads and checks a GQA split (unique ids, every question with an answer, every image present). */
    static GqaInput readGqa(GqaFiles files) throws IOException {
        EvalFiles.requireFile(files.questions(), "GQA questions file");
        List<GqaQuestion> questions = GqaQuestion.read(files.questions());
        if (questions.isEmpty()) {
            throw new MalformedDataException(files.questions().toString(), "no questions in the list");
        }
        Map<String, String> truth = new LinkedHashMap<>();
        List<EvalImages.Ref> images = new ArrayList<>(questions.size());
        for (GqaQuestion q : questions) {
            if (q.answer() == null) {
                throw new MalformedDataException(files.questions().toString(), "question_id " + q.questionId()
                        + " has no 'answer' (a GQA evaluation split needs the ground-truth answer)");
            }
            if (truth.put(q.questionId(), q.answer()) != null) {
                throw new MalformedDataException(files.questions().toString(), "question_id " + q.questionId()
                        + " occurs more than once (expected unique 'question_id' values)");
            }
            images.add(new EvalImages.Ref(EvalImages.resolve(files.imageRoot(), q.image()),
                    "question_id " + q.questionId() + " of " + files.questions()));
        }
        Map<String, String> domains = EvalFiles.readDomains(files.domains(), truth.keySet());
        EvalImages.requireAll(images);
        return new GqaInput(questions, truth, images, domains);
    }

    /** Scores answers (one per question, in order) by exact match after normalisation. */
    static Scored<GqaPrediction, GqaEvalReport> scoreGqa(GqaInput in, List<String> answers, Options options) {
        Map<String, String> predicted = new LinkedHashMap<>();
        List<GqaPrediction> predictions = new ArrayList<>(answers.size());
        for (int i = 0; i < answers.size(); i++) {
            String id = in.questions().get(i).questionId();
            predicted.put(id, answers.get(i));
            predictions.add(new GqaPrediction(id, answers.get(i)));
        }
        GqaReport scored = GqaAccuracy.score(predicted, in.truth());
        Map<String, Double> perDomain = null;
        if (in.domains() != null) {
            Map<String, Double> perQuestion = new LinkedHashMap<>();
            scored.perQuestion().forEach((q, hit) -> perQuestion.put(q, hit ? 100.0 : 0.0));
            perDomain = DomainMeans.of(perQuestion, in.domains());
        }
        return new Scored<>(predictions, new GqaEvalReport("gqa", scored.questions(), scored.overall(), perDomain,
                emptyCount(answers), options.decoding()));
    }

    private List<String> answer(String task, List<EvalImages.Ref> images, List<String> questions,
            EvalProgress progress) throws IOException {
        List<String> answers = new ArrayList<>(questions.size());
        Batches.run(task, questions.size(), options.batchSize(), 0, questions.size(), progress, (from, to) -> {
            List<String> prompts = new ArrayList<>(to - from);
            for (String q : questions.subList(from, to)) {
                prompts.add(options.decoding().questionPrompt(cleaner.clean(q)));
            }
            answers.addAll(decoder.decode(images.subList(from, to), prompts, options.decoding()));
        });
        return answers;
    }

    /** The annotation as the VQA accuracy reads it; fails naming the annotation file and the missing field. */
    private static VqaAnnotation scoringAnnotation(VqaExample e, VqaFiles files) throws MalformedDataException {
        long qid = e.question().questionId();
        org.pformer.datasets.lavis.VqaAnnotation a = e.annotation();
        String file = files.annotations().toString();
        if (a == null) {
            throw new MalformedDataException(file, "question_id " + qid + " of " + files.questions()
                    + " has no annotation (expected an entry with that 'question_id' in 'annotations')");
        }
        if (a.questionType() == null || a.answerType() == null) {
            throw new MalformedDataException(file, "annotation of question_id " + qid + " lacks '"
                    + (a.questionType() == null ? "question_type" : "answer_type") + "' (needed for the per-type "
                    + "accuracies)");
        }
        List<VqaAnnotation.Answer> answers = new ArrayList<>(a.answers().size());
        for (VqaAnswer ans : a.answers()) {
            answers.add(new VqaAnnotation.Answer(ans.answer(), ans.answerConfidence(), ans.answerId()));
        }
        return new VqaAnnotation(qid, a.questionType(), a.answerType(), answers);
    }

    private static int emptyCount(List<String> texts) {
        return (int) texts.stream().filter(String::isEmpty).count();
    }
}
