package org.pformer.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pipeline's configuration, as read from {@code infra/config/*.yaml} over the defaults in
 * {@code org/pformer/config/defaults.yaml}. Keys are snake_case in YAML; every section is a typed record
 * validated up front by {@link ConfigLoader}.
 */
public record PipelineConfig(
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}",
                message = "expected a name of letters, digits, '.', '_' or '-' (at most 100 characters)")
        String name,
        @PositiveOrZero(message = "expected an integer >= 0") long seed,
        @NotNull(message = "missing; expected a value") @Valid StoreConfig store,
        @NotNull(message = "missing; expected a value") @Valid DataConfig data,
        @NotNull(message = "missing; expected a value") @Valid WorldConfig world,
        @NotNull(message = "missing; expected a value") @Valid ModelsConfig models,
        @NotNull(message = "missing; expected a value") @Valid FoundationConfig foundation,
        @NotNull(message = "missing; expected a value") @Valid IngestConfig ingest,
        @NotNull(message = "missing; expected a value") @Valid PFormerStageConfig pformer,
        @NotNull(message = "missing; expected a value") @Valid Stage1Config stage1,
        @NotNull(message = "missing; expected a value") @Valid Stage2Config stage2,
        @NotNull(message = "missing; expected a value") @Valid EvalConfig eval,
        @NotNull(message = "missing; expected a value") @Valid RuntimeConfig runtime) {

    /** True when the pipeline runs on the shipped benchmark world rather than on files given in {@code data}. */
    @JsonIgnore
    public boolean usesWorld() {
        return "world".equals(data.source());
    }

    /**
     * The configuration a stage's result depends on: its own section plus the shared parts that change its
     * output (seed, model choices, precision). Upstream stage keys and input digests are added by the stage
     * cache; runtime choices that do not change results (device, threads) are deliberately left out.
     */
    public Map<String, Object> stageSection(StageName stage) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seed", seed);
        switch (stage) {
            case INGEST -> {
                s.put("data_source", data.source());
                s.put("sentences", data.sentences());
                if (usesWorld()) {
                    s.put("world", world);
                }
                s.put("ingest", ingest);
                s.put("text_encoder_tokenizer", models.textEncoder().tokenizer());
                s.put("llm_tokenizer", models.llm().tokenizer());
                s.put("max_text_len", pformer.maxTextLen());
            }
            case FOUNDATION -> {
                s.put("world", world);
                s.put("foundation", foundation);
                s.put("vision", models.vision());
                s.put("llm", models.llm());
                s.put("precision", runtime.precision());
            }
            case PFORMER -> {
                s.put("pformer", pformer);
                s.put("text_encoder", models.textEncoder());
                s.put("llm", models.llm());
                s.put("precision", runtime.precision());
            }
            case STAGE1 -> {
                s.put("stage1", stage1);
                s.put("pairs", data.pairs());
                s.put("vision", models.vision());
                s.put("qformer", models.qformer());
                s.put("text_encoder", models.textEncoder());
                s.put("precision", runtime.precision());
            }
            case STAGE2 -> {
                s.put("stage2", stage2);
                s.put("pairs", data.pairs());
                s.put("llm", models.llm());
                s.put("precision", runtime.precision());
            }
            case EVAL_VQA -> {
                s.put("vqa", eval.vqa());
                s.put("vqav2", data.vqav2());
                s.put("okvqa", data.okvqa());
                s.put("gqa", data.gqa());
                s.put("precision", runtime.precision());
            }
            case EVAL_CAPTION -> {
                s.put("caption", eval.caption());
                s.put("nocaps", data.nocaps());
                s.put("coco_caption", data.cocoCaption());
                s.put("precision", runtime.precision());
            }
            case EVAL_RETRIEVAL -> {
                s.put("retrieval", eval.retrieval());
                s.put("retrieval_set", data.retrieval());
                s.put("precision", runtime.precision());
            }
            default -> throw new IllegalArgumentException("no section for stage " + stage);
        }
        return s;
    }

    /** sha256 (hex) of the canonical JSON of {@link #stageSection(StageName)}. */
    public String stageConfigHash(StageName stage) {
        return ConfigHash.sha256Hex(Map.of("stage", stage.id(), "config", stageSection(stage)));
    }

    /** This configuration with other alignment-loss weights (an ablation grid point); nothing else changes. */
    public PipelineConfig withOmegas(double omega1, double omega2) {
        Stage1Config s1 = new Stage1Config(omega1, stage1.train(), stage1.pformerDropoutInTargets(), stage1.targetCache());
        Stage2Config s2 = new Stage2Config(omega2, stage2.train(), stage2.initLlmProjFromStage1(), stage2.prompt(),
                stage2.targetCache());
        return new PipelineConfig(name, seed, store, data, world, models, foundation, ingest, pformer, s1, s2, eval, runtime);
    }

    /** This configuration with another seed (a repeat of the same experiment). */
    public PipelineConfig withSeed(long newSeed) {
        return new PipelineConfig(name, newSeed, store, data, world, models, foundation, ingest, pformer, stage1, stage2,
                eval, runtime);
    }

    /** True when a stage consumes the P-Former's prompts, i.e. omega1 or omega2 is positive. */
    @JsonIgnore
    public boolean needsPFormer() {
        return stage1.omega1() > 0 || stage2.omega2() > 0;
    }

    /** sha256 (hex) of the whole canonical configuration: the run's identity in MLflow tags and search attributes. */
    public String configHash() {
        return ConfigHash.sha256Hex(this);
    }
}
