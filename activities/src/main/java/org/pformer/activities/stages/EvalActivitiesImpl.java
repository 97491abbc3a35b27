package org.pformer.activities.stages;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.StageActivities.EvalActivities;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.DataConfig;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.metrics.caption.CaptionMetrics;
import org.pformer.model.blip2.Blip2Stage1;
import org.pformer.model.blip2.Blip2Stage2;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.eval.CaptionEvalReport;
import org.pformer.model.eval.CaptionEvaluator;
import org.pformer.model.eval.EvalProgress;
import org.pformer.model.eval.GqaEvalReport;
import org.pformer.model.eval.RetrievalEvalReport;
import org.pformer.model.eval.RetrievalEvaluator;
import org.pformer.model.eval.VqaEvalReport;
import org.pformer.model.eval.VqaEvaluator;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.vit.VitModel;
import org.pformer.store.ArtifactRef;

/**
 * Zero-shot evaluation (METHOD.md "Evaluation"): VQA (VQAv2, OK-VQA, GQA) and captioning (NoCaps by domain, COCO
 * Karpathy) with the stage-2 model, image-text retrieval with the stage-1 model. Each writes official-format
 * predictions and a report as artifacts of its MLflow run; the headline figures are the stage's metrics.
 */
public final class EvalActivitiesImpl implements EvalActivities {

    /** Both VQAv2 and OK-VQA ask about COCO val2014 images, named by their id. */
    private static final String COCO_VAL_IMAGE = "COCO_val2014_%012d.jpg";

    private final StageExecutor executor;

    public EvalActivitiesImpl(StageExecutor executor) {
        this.executor = executor;
    }

    @Override
    public StageResult evaluateVqa(StageRequest request) {
        return executor.execute(request, run -> withStage2(run, (ctx, metrics, artifacts) -> {
            PipelineConfig config = run.request().config();
            VqaEvaluator eval = new VqaEvaluator(ctx.model, ctx.llmTok, ctx.preprocessor,
                    VqaEvaluator.Options.of(config.eval().vqa()));
            EvalProgress progress = progress(run);
            for (String task : new String[] {"vqav2", "okvqa"}) {
                VqaEvaluator.VqaFiles files = vqaFiles(ctx.backbones, config.data(), task);
                if (files == null) {
                    continue;
                }
                Path results = run.workDir().resolve(task + "_results.json");
                Path report = run.workDir().resolve(task + "_report.json");
                VqaEvalReport r = eval.evaluateVqa(task, files, results, report, progress);
                metrics.put(task + ".overall", r.overall());
                r.perAnswerType().forEach((k, v) -> metrics.put(task + ".answer_type." + key(k), v));
                if (r.perDomain() != null) {
                    r.perDomain().forEach((k, v) -> metrics.put(task + ".domain." + key(k), v));
                }
                artifacts.put(task + "_results", store(run, results));
                artifacts.put(task + "_report", store(run, report));
            }
            VqaEvaluator.GqaFiles gqa = gqaFiles(ctx.backbones, config.data());
            if (gqa != null) {
                Path results = run.workDir().resolve("gqa_results.json");
                Path report = run.workDir().resolve("gqa_report.json");
                GqaEvalReport r = eval.evaluateGqa(gqa, results, report, progress);
                metrics.put("gqa.overall", r.overall());
                if (r.perDomain() != null) {
                    r.perDomain().forEach((k, v) -> metrics.put("gqa.domain." + key(k), v));
                }
                artifacts.put("gqa_results", store(run, results));
                artifacts.put("gqa_report", store(run, report));
            }
        }));
    }

    @Override
    public StageResult evaluateCaptioning(StageRequest request) {
        return executor.execute(request, run -> withStage2(run, (ctx, metrics, artifacts) -> {
            PipelineConfig config = run.request().config();
            try (CaptionMetrics scorer = CaptionMetrics.fromEnvironment()) {
                CaptionEvaluator eval = new CaptionEvaluator(ctx.model, ctx.llmTok, ctx.preprocessor, scorer,
                        CaptionEvaluator.Options.of(config.eval().caption()));
                EvalProgress progress = progress(run);
                CaptionEvaluator.CaptionFiles nocaps = captionFiles(ctx.backbones, config.data().nocaps(), true);
                if (nocaps != null) {
                    Path predictions = run.workDir().resolve("nocaps_predictions.json");
                    Path report = run.workDir().resolve("nocaps_report.json");
                    CaptionEvalReport r = eval.evaluateNocaps(nocaps, predictions, report, progress);
                    r.cider().forEach((k, v) -> metrics.put("nocaps." + key(k) + ".cider", v));
                    if (r.spice() != null) {
                        r.spice().forEach((k, v) -> metrics.put("nocaps." + key(k) + ".spice", v));
                    }
                    artifacts.put("nocaps_predictions", store(run, predictions));
                    artifacts.put("nocaps_report", store(run, report));
                }
                CaptionEvaluator.CaptionFiles coco = captionFiles(ctx.backbones, config.data().cocoCaption(), false);
                if (coco != null) {
                    Path predictions = run.workDir().resolve("coco_predictions.json");
                    Path report = run.workDir().resolve("coco_report.json");
                    CaptionEvalReport r = eval.evaluateCoco(coco, predictions, report, progress);
                    if (r.bleu4() != null) {
                        metrics.put("coco.bleu4", r.bleu4());
                    }
                    metrics.put("coco.cider", r.cider().get(CaptionMetrics.OVERALL));
                    artifacts.put("coco_predictions", store(run, predictions));
                    artifacts.put("coco_report", store(run, report));
                }
            }
        }));
    }

    @Override
    public StageResult evaluateRetrieval(StageRequest request) {
        return executor.execute(request, run -> {
            PipelineConfig config = run.request().config();
            LocalArtifacts artifacts = executor.env().artifacts(run.request());
            Backbones backbones = Backbones.of(run.request(), artifacts);
            Path weights = artifacts.file(run.request().upstream(StageName.STAGE1).artifact(Stage1ActivitiesImpl.WEIGHTS));
            RetrievalEvaluator.RetrievalFiles files = backbones.retrievalFiles();
            Map<String, Double> metrics = new TreeMap<>();
            Map<String, ArtifactRef> out = new TreeMap<>();
            if (files != null) {
                try (PFormerTokenizer text = PFormerTokenizer.load(backbones.textTokenizer(),
                             config.eval().retrieval().maxTextLen());
                     LlmTokenizer llmTok = LlmTokenizer.load(backbones.llmTokenizer(), 64);
                     NDManager manager = NDManager.newBaseManager(StageEnvironment.device(run.request()))) {
                    VitModel vit = backbones.loadVision(manager);
                    QFormerConfig q = Blip2Inputs.qformerConfig(config, backbones, text, vit.config().hiddenSize());
                    int alignWidth = config.stage1().omega1() > 0 ? backbones.llmConfig(llmTok.vocabSize()).hiddenSize() : 0;
                    Blip2Stage1 model = new Blip2Stage1(ParameterFactory.forLoading(manager), q, vit, alignWidth);
                    model.loadWeights(weights);
                    model.eval();
                    RetrievalEvaluator eval = new RetrievalEvaluator(model, text, Blip2Inputs.preprocessor(config,
                            backbones), RetrievalEvaluator.Options.of(config.eval().retrieval()));
                    Path report = run.workDir().resolve("retrieval_report.json");
                    RetrievalEvalReport r = eval.evaluate(files, report, progress(run));
                    r.lavisKeys().forEach((k, v) -> {
                        if (v instanceof Number n) {
                            metrics.put(k, n.doubleValue());
                        }
                    });
                    out.put("retrieval_report", store(run, report));
                }
            }
            return run.finish(out, metrics, 0);
        });
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The frozen stage-2 model and what decoding needs. */
    private record Stage2Context(Backbones backbones, Blip2Stage2 model, LlmTokenizer llmTok,
                                 ImagePreprocessor preprocessor) {}

    @FunctionalInterface
    private interface Stage2Body {
        void run(Stage2Context ctx, Map<String, Double> metrics, Map<String, ArtifactRef> artifacts) throws IOException;
    }

    private StageResult withStage2(StageRun run, Stage2Body body) throws IOException {
        PipelineConfig config = run.request().config();
        LocalArtifacts artifacts = executor.env().artifacts(run.request());
        Backbones backbones = Backbones.of(run.request(), artifacts);
        Path weights = artifacts.file(run.request().upstream(StageName.STAGE2).artifact(Stage2ActivitiesImpl.WEIGHTS));
        Map<String, Double> metrics = new TreeMap<>();
        Map<String, ArtifactRef> out = new TreeMap<>();
        try (PFormerTokenizer text = PFormerTokenizer.load(backbones.textTokenizer(),
                     config.models().qformer().maxTextLen());
             LlmTokenizer llmTok = LlmTokenizer.load(backbones.llmTokenizer(), 64);
             NDManager manager = NDManager.newBaseManager(StageEnvironment.device(run.request()))) {
            VitModel vit = backbones.loadVision(manager);
            OptForCausalLM llm = backbones.loadLlm(manager, llmTok.vocabSize());
            QFormerConfig q = Blip2Inputs.qformerConfig(config, backbones, text, vit.config().hiddenSize());
            Blip2Stage2 model = new Blip2Stage2(ParameterFactory.forLoading(manager), q, vit, llm);
            model.loadWeights(weights);
            model.eval();
            body.run(new Stage2Context(backbones, model, llmTok, Blip2Inputs.preprocessor(config, backbones)), metrics,
                    out);
        }
        return run.finish(out, metrics, 0);
    }

    private static EvalProgress progress(StageRun run) {
        return (done, total) -> run.progress(done, total);
    }

    private static ArtifactRef store(StageRun run, Path file) {
        ArtifactRef ref = run.putFile("out/" + file.getFileName(), file);
        run.logArtifact("eval/" + file.getFileName(), ref);
        return ref;
    }

    /** MLflow-safe metric name part ("in-domain" → "in_domain", "yes/no" → "yes_no"). */
    static String key(String s) {
        return s.replaceAll("[^A-Za-z0-9_.]", "_");
    }

    private static VqaEvaluator.VqaFiles vqaFiles(Backbones b, DataConfig data, String task) {
        if (b.isWorld()) {
            WorldManifest.VqaFiles f = task.equals("vqav2") ? b.world().datasets().vqav2() : b.world().datasets().okvqa();
            return new VqaEvaluator.VqaFiles(b.worldPath(f.questions()), b.worldPath(f.annotations()),
                    b.worldPath(f.images()), f.imageTemplate(), f.domains() == null ? null : b.worldPath(f.domains()));
        }
        DataConfig.VqaFiles f = task.equals("vqav2") ? data.vqav2() : data.okvqa();
        return f == null ? null : new VqaEvaluator.VqaFiles(Path.of(f.questions()), Path.of(f.annotations()),
                Path.of(f.images()), COCO_VAL_IMAGE, null);
    }

    private static VqaEvaluator.GqaFiles gqaFiles(Backbones b, DataConfig data) {
        if (b.isWorld()) {
            var g = b.world().datasets().gqa();
            String domains = b.world().datasets().gqaDomains();
            return new VqaEvaluator.GqaFiles(b.worldPath(g.annotations()), b.worldPath(g.images()),
                    domains == null ? null : b.worldPath(domains));
        }
        return data.gqa() == null ? null
                : new VqaEvaluator.GqaFiles(Path.of(data.gqa().annotations()), Path.of(data.gqa().images()), null);
    }

    private static CaptionEvaluator.CaptionFiles captionFiles(Backbones b, DataConfig.ImageAnnotations files,
            boolean nocaps) {
        if (b.isWorld()) {
            WorldManifest.CaptionFiles f = nocaps ? b.world().datasets().nocaps() : b.world().datasets().cocoCaption();
            return new CaptionEvaluator.CaptionFiles(b.worldPath(f.annotations()), b.worldPath(f.references()),
                    b.worldPath(f.images()));
        }
        if (files == null) {
            return null;
        }
        Path annotations = Path.of(files.annotations());
        // LAVIS keeps the COCO-format references next to the list: <name>_gt.json
        String name = annotations.getFileName().toString().replaceFirst("\\.json$", "");
        Path references = annotations.resolveSibling(name + "_gt.json");
        if (!Files.isRegularFile(references)) {
            throw new StageExecutor.InvalidStageConfig("no COCO-format references " + references + " next to "
                    + annotations + "; expected LAVIS's <name>_gt.json layout");
        }
        return new CaptionEvaluator.CaptionFiles(annotations, references, Path.of(files.images()));
    }

}
