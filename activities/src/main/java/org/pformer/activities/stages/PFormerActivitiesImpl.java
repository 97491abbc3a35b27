package org.pformer.activities.stages;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.StageActivities.PFormerActivities;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.lavis.ImageCaptions;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.data.ShardSentenceSource;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.eval.RetrievalEvaluator;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.pformer.PFormerObjective;
import org.pformer.model.pformer.SentenceSimilarity;
import org.pformer.store.ArtifactRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * P-Former pretraining (paper Eq. 4–5, METHOD.md stage 0): the BERT-style encoder's [CLS] → 32-token soft prompt,
 * trained through the frozen LLM with L_lm + L_contrast + L_vocab on the ingested sentence shards. Writes the
 * P-Former's weights ({@code pformer.safetensors}), which stages 1 and 2 load frozen.
 */
public final class PFormerActivitiesImpl implements PFormerActivities {

    public static final String WEIGHTS = "pformer";
    public static final String FORMAT = "pformer/1";

    /** Images (paraphrase groups) in the sentence-similarity probe. */
    static final int SIMILARITY_IMAGES = 64;
    private static final Logger LOG = LoggerFactory.getLogger(PFormerActivitiesImpl.class);

    private final StageExecutor executor;

    public PFormerActivitiesImpl(StageExecutor executor) {
        this.executor = executor;
    }

    @Override
    public StageResult pretrainPFormer(StageRequest request) {
        return executor.execute(request, this::run);
    }

    private StageResult run(StageRun run) throws IOException {
        PipelineConfig config = run.request().config();
        LocalArtifacts artifacts = executor.env().artifacts(run.request());
        Backbones backbones = Backbones.of(run.request(), artifacts);
        Path shards = artifacts.directory(run.request().upstream(StageName.INGEST).artifact(IngestActivitiesImpl.SHARDS));
        try (PFormerTokenizer text = PFormerTokenizer.load(backbones.textTokenizer(), config.pformer().maxTextLen());
             LlmTokenizer llmTok = LlmTokenizer.load(backbones.llmTokenizer(), 64);
             NDManager manager = NDManager.newBaseManager(StageEnvironment.device(run.request()));
             ShardSentenceSource source = ShardSentenceSource.open(shards, text.padId(), llmTok.padId(), config.seed())) {
            // read and checked before any training: a probe file without paraphrases fails the stage at once
            SentenceSimilarity.Probe probe = similarityProbe(backbones, text);
            OptForCausalLM llm = backbones.loadLlm(manager, llmTok.vocabSize());
            PFormer pformer = pformer(backbones, text, llm, manager, config.seed());
            if (backbones.textEncoderWeights() != null) {
                pformer.loadBertWeights(backbones.textEncoderWeights());
            }
            StageTraining.Outcome outcome;
            try (PFormerObjective objective = new PFormerObjective(pformer, llm, manager)) {
                outcome = StageTraining.train(run, pformer, objective, source, config.pformer().train(), source.size());
            }
            ArtifactRef ref = StageTraining.publishWeights(run, "pformer", f -> Backbones.saveWeights(pformer, f, FORMAT));
            Map<String, Double> metrics = new TreeMap<>(outcome.metrics());
            metrics.put("sentences", (double) source.size());
            if (probe != null) {
                metrics.putAll(SentenceSimilarity.evaluate(pformer, probe, manager).asMetrics());
            }
            return run.finish(Map.of(WEIGHTS, ref), metrics, outcome.steps());
        }
    }

    /**
     * The probe of the sentence-similarity check of the trained [CLS] space (paraphrases closer than unrelated
     * sentences): the captions of one retrieval-test image are paraphrases of each other. Null when no retrieval set
     * is configured.
     */
    private static SentenceSimilarity.Probe similarityProbe(Backbones backbones, PFormerTokenizer text)
            throws IOException {
        RetrievalEvaluator.RetrievalFiles files = backbones.retrievalFiles();
        if (files == null) {
            LOG.info("no retrieval test set configured: the sentence-similarity check of the P-Former is skipped");
            return null;
        }
        try {
            return SentenceSimilarity.probe(ImageCaptions.read(files.annotations()), SIMILARITY_IMAGES, text);
        } catch (IllegalArgumentException e) { // too few paraphrase groups: the file, not the code, is at fault
            throw new MalformedDataException(files.annotations().toString(), e.getMessage()
                    + " (the retrieval test set doubles as the P-Former's paraphrase probe)");
        }
    }

    /** A P-Former of this pipeline's architecture, initialised from the run seed (weights loaded later, if any). */
    static PFormer pformer(Backbones backbones, PFormerTokenizer text, OptForCausalLM llm, NDManager manager,
            long seed) {
        return new PFormer(ParameterFactory.random(manager, seed),
                backbones.pformerConfig(text.vocabSize(), text.maskId(), llm.config().hiddenSize()));
    }
}
