package org.pformer.activities.stages;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.StageActivities.Stage2Activities;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.config.Stage2Config;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.blip2.Blip2Stage2;
import org.pformer.model.blip2.PFormerTargets;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.blip2.Stage2Objective;
import org.pformer.model.data.PairBatchSource;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.vit.VitModel;
import org.pformer.store.ArtifactRef;

/**
 * BLIP-2 stage 2 (paper Eq. 9): query outputs → {@code llm_proj} → soft prompt of the frozen LLM, LM loss on the
 * caption tokens, plus ω2 × L_align. The Q-Former starts from stage 1; {@code llm_proj} from stage 1's
 * {@code align_proj} when ω1 &gt; 0 (and {@code stage2.init_llm_proj_from_stage1}).
 */
public final class Stage2ActivitiesImpl implements Stage2Activities {

    public static final String WEIGHTS = "stage2";

    private final StageExecutor executor;

    public Stage2ActivitiesImpl(StageExecutor executor) {
        this.executor = executor;
    }

    @Override
    public StageResult trainStage2(StageRequest request) {
        return executor.execute(request, this::run);
    }

    private StageResult run(StageRun run) throws IOException {
        PipelineConfig config = run.request().config();
        Stage2Config s2 = config.stage2();
        LocalArtifacts artifacts = executor.env().artifacts(run.request());
        Backbones backbones = Backbones.of(run.request(), artifacts);
        List<CaptionPair> pairs = Blip2Inputs.pairs(config, backbones);
        Path stage1 = artifacts.file(run.request().upstream(StageName.STAGE1).artifact(Stage1ActivitiesImpl.WEIGHTS));
        try (PFormerTokenizer text = PFormerTokenizer.load(backbones.textTokenizer(),
                     config.models().qformer().maxTextLen());
             LlmTokenizer llmTok = LlmTokenizer.load(backbones.llmTokenizer(), config.models().qformer().maxTextLen()
                     + 8);
             NDManager manager = NDManager.newBaseManager(StageEnvironment.device(run.request()))) {
            VitModel vit = backbones.loadVision(manager);
            OptForCausalLM llm = backbones.loadLlm(manager, llmTok.vocabSize());
            QFormerConfig q = Blip2Inputs.qformerConfig(config, backbones, text, vit.config().hiddenSize());
            Blip2Stage2 model = new Blip2Stage2(ParameterFactory.random(manager, config.seed()), q, vit, llm);
            model.initFromStage1(stage1, config.stage1().omega1() > 0 && s2.initLlmProjFromStage1());
            PFormerTargets targets = Blip2Inputs.targets(run, backbones, artifacts, s2.omega2(), s2.targetCache(),
                    false, text, llm.config().hiddenSize(), pairs, manager);
            long[] prompt = s2.prompt().isEmpty() ? new long[0]
                    : Arrays.stream(llmTok.encode(s2.prompt(), true)).asLongStream().toArray();
            PairBatchSource source = new PairBatchSource(pairs, Path.of("/"), Blip2Inputs.preprocessor(config,
                    backbones), true, text, llmTok, config.seed());
            StageTraining.Outcome outcome = StageTraining.train(run, model, new Stage2Objective(model, targets,
                    s2.omega2(), prompt), source, s2.train(), source.size());
            ArtifactRef ref = StageTraining.publishWeights(run, "stage2", model::saveWeights);
            Map<String, Double> metrics = new TreeMap<>(outcome.metrics());
            metrics.put("pairs", (double) pairs.size());
            return run.finish(Map.of(WEIGHTS, ref), metrics, outcome.steps());
        }
    }
}
