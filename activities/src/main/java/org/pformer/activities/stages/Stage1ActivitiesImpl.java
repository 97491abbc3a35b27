package org.pformer.activities.stages;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.StageActivities.Stage1Activities;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.PipelineConfig;
import org.pformer.config.Stage1Config;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.blip2.Blip2Stage1;
import org.pformer.model.blip2.PFormerTargets;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.blip2.Stage1Objective;
import org.pformer.model.data.PairBatchSource;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.vit.VitModel;
import org.pformer.store.ArtifactRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BLIP-2 stage 1 (paper Eq. 7–8): the Q-Former on the frozen image encoder with ITC + ITM + ITG, plus
 * ω1 × L_align to the frozen P-Former's prompts (align_proj exists only when ω1 &gt; 0). Writes the stage-1
 * weights, which stage 2 and the retrieval evaluation load.
 */
public final class Stage1ActivitiesImpl implements Stage1Activities {

    private static final Logger LOG = LoggerFactory.getLogger(Stage1ActivitiesImpl.class);

    public static final String WEIGHTS = "stage1";

    private final StageExecutor executor;

    public Stage1ActivitiesImpl(StageExecutor executor) {
        this.executor = executor;
    }

    @Override
    public StageResult trainStage1(StageRequest request) {
        return executor.execute(request, this::run);
    }

    private StageResult run(StageRun run) throws IOException {
        PipelineConfig config = run.request().config();
        Stage1Config s1 = config.stage1();
        LocalArtifacts artifacts = executor.env().artifacts(run.request());
        Backbones backbones = Backbones.of(run.request(), artifacts);
        List<CaptionPair> pairs = Blip2Inputs.pairs(config, backbones);
        try (PFormerTokenizer text = PFormerTokenizer.load(backbones.textTokenizer(),
                     config.models().qformer().maxTextLen());
             LlmTokenizer llmTok = LlmTokenizer.load(backbones.llmTokenizer(), 64);
             NDManager manager = NDManager.newBaseManager(StageEnvironment.device(run.request()))) {
            int llmHidden = backbones.llmConfig(llmTok.vocabSize()).hiddenSize();
            VitModel vit = backbones.loadVision(manager);
            QFormerConfig q = Blip2Inputs.qformerConfig(config, backbones, text, vit.config().hiddenSize());
            Blip2Stage1 model = new Blip2Stage1(ParameterFactory.random(manager, config.seed()), q, vit,
                    s1.omega1() > 0 ? llmHidden : 0);
            Path textEncoder = backbones.textEncoderWeights();
            if (textEncoder != null) {
                // BLIP-2 (LAVIS init_Qformer): the Q-Former starts from the pre-trained text encoder (bert-base);
                // cross-attention, query FFNs (copies of the text FFNs) and the query tokens are new
                WeightLoader.Report report = model.qformer().initFromBert(textEncoder);
                LOG.info("stage 1: Q-Former initialised from {} ({} tensors loaded, {} ignored)", textEncoder,
                        report.loaded().size(), report.ignored().size());
            }
            PFormerTargets targets = Blip2Inputs.targets(run, backbones, artifacts, s1.omega1(), s1.targetCache(),
                    s1.pformerDropoutInTargets(), text, llmHidden, pairs, manager);
            PairBatchSource source = new PairBatchSource(pairs, Path.of("/"), Blip2Inputs.preprocessor(config,
                    backbones), true, text, null, config.seed());
            StageTraining.Outcome outcome = StageTraining.train(run, model, new Stage1Objective(model, targets,
                    s1.omega1()), source, s1.train(), source.size());
            ArtifactRef ref = StageTraining.publishWeights(run, "stage1", model::saveWeights);
            Map<String, Double> metrics = new TreeMap<>(outcome.metrics());
            metrics.put("pairs", (double) pairs.size());
            return run.finish(Map.of(WEIGHTS, ref), metrics, outcome.steps());
        }
    }
}
