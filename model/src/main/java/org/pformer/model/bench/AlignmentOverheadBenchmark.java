package org.pformer.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.blip2.Blip2Model;
import org.pformer.model.blip2.Blip2Stage1;
import org.pformer.model.blip2.Blip2Stage2;
import org.pformer.model.blip2.PFormerTargetCache;
import org.pformer.model.blip2.PFormerTargets;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.blip2.Stage1Objective;
import org.pformer.model.blip2.Stage2Objective;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.foundation.FoundationPresets;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.pformer.PFormerConfig;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.Objective;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.Trainer;
import org.pformer.model.vit.VitModel;

/**
 * What the P-Former alignment loss costs per training step (paper §3.4, METHOD.md "Cost note"): BLIP-2 stage 1 and
 * stage 2 step time with ω = 0 (plain BLIP-2), with ω &gt; 0 and the frozen P-Former run every step, and with
 * ω &gt; 0 and its [CLS] states read from a {@link PFormerTargetCache}. Random weights at the world's sizes,
 * synthetic image-caption batches ({@link SyntheticShapes}).
 *
 * <p>Each repeat runs every configuration in turn (fresh model and trainer, {@code --warmup} untimed steps, then
 * {@code --steps} timed ones), so slow drift of a shared machine hits all of them alike; per configuration the
 * mean step time of each repeat is collected and the minimum and median over repeats are printed, with their
 * ratios to ω = 0 of the same stage.
 *
 * <pre>
 * java -cp … org.pformer.model.bench.AlignmentOverheadBenchmark [--size world-tiny|world-default] [--batch N]
 *     [--steps 20] [--warmup 3] [--repeats 5] [--stages 1,2]
 * </pre>
 */
public final class AlignmentOverheadBenchmark {

    /** A world size: the pipeline configuration of {@code infra/config/world-*.yaml} as far as step cost goes. */
    record Size(String name, FoundationPresets.Preset backbones, SyntheticShapes.Spec world, int numQuery,
            int batch) {

        static Size byName(String name) {
            return switch (name) {
                case "world-tiny" -> new Size(name, FoundationPresets.worldTiny(), SyntheticShapes.Spec.tiny(32), 4,
                        16);
                case "world-default" -> new Size(name, FoundationPresets.worldTiny(), SyntheticShapes.Spec.full(64),
                        8, 32);
                default -> throw new IllegalArgumentException("unknown --size '" + name
                        + "'; expected world-tiny or world-default");
            };
        }
    }

    /** How the stage gets its alignment targets. */
    enum Variant {
        OMEGA_ZERO("ω=0"), PER_STEP("ω>0 uncached"), CACHED("ω>0 cached");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private static final double OMEGA1 = 10;
    private static final double OMEGA2 = 100;

    private final Size size;
    private final SyntheticShapes world;
    private final int batch;
    private final int steps;
    private final int warmup;
    private final int textVocab;

    AlignmentOverheadBenchmark(Size size, int batch, int steps, int warmup) {
        this.size = size;
        this.world = new SyntheticShapes(size.world());
        this.batch = batch;
        this.steps = steps;
        this.warmup = warmup;
        this.textVocab = world.textVocabSize() + 1; // + [DEC], as the world tokenizer adds it
    }

    public static void main(String[] args) {
        Size size = Size.byName(option(args, "--size", "world-tiny"));
        int batch = Integer.parseInt(option(args, "--batch", Integer.toString(size.batch())));
        int steps = Integer.parseInt(option(args, "--steps", "20"));
        int warmup = Integer.parseInt(option(args, "--warmup", "3"));
        int repeats = Integer.parseInt(option(args, "--repeats", "5"));
        List<Integer> stages = Arrays.stream(option(args, "--stages", "1,2").split(",")).map(String::trim)
                .map(Integer::parseInt).toList();
        if (steps <= 0 || warmup < 0 || repeats <= 0 || batch < 2) {
            throw new IllegalArgumentException("need --steps > 0, --warmup >= 0, --repeats > 0, --batch >= 2");
        }
        new AlignmentOverheadBenchmark(size, batch, steps, warmup).run(stages, repeats);
    }

    void run(List<Integer> stages, int repeats) {
        FoundationPresets.Preset p = size.backbones();
        Engine.getEngine("PyTorch"); // loads the native library before its thread count is read
        System.out.printf(Locale.ROOT, "size=%s image=%dpx batch=%d Q=%d steps=%d (+%d warm-up) repeats=%d"
                + " threads=%d%n", size.name(), size.world().imageSize(), batch, size.numQuery(), steps, warmup,
                repeats, JniUtils.getNumThreads());
        System.out.printf(Locale.ROOT, "ViT %d x %d, Q-Former and P-Former encoder %d x %d, LLM %d x %d;"
                + " ω1=%s, ω2=%s%n", p.visionLayers(), p.visionWidth(), p.textLayers(), p.textWidth(),
                p.llmLayers(), p.llmWidth(), OMEGA1, OMEGA2);
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (int r = 0; r < repeats; r++) {
            for (int stage : stages) {
                for (Variant v : Variant.values()) {
                    seconds.computeIfAbsent(key(stage, v), k -> new ArrayList<>()).add(measure(stage, v));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-8s %-14s %10s %10s %9s %9s%n", "stage", "targets", "min ms", "median ms",
                "min ×", "median ×");
        for (int stage : stages) {
            double[] base = stats(seconds.get(key(stage, Variant.OMEGA_ZERO)));
            for (Variant v : Variant.values()) {
                double[] s = stats(seconds.get(key(stage, v)));
                System.out.printf(Locale.ROOT, "%-8s %-14s %10.1f %10.1f %9.3f %9.3f%n", "stage " + stage, v.label,
                        s[0] * 1e3, s[1] * 1e3, s[0] / base[0], s[1] / base[1]);
            }
        }
    }

    private static String key(int stage, Variant v) {
        return stage + "/" + v;
    }

    /** {min, median} of the repeats' mean step times. */
    private static double[] stats(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new double[] {sorted[0], median};
    }

    /** Mean step time (s) of one fresh run of {@code stage} with targets {@code variant}. */
    double measure(int stage, Variant variant) {
        FoundationPresets.Preset p = size.backbones();
        long seed = 17;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VitModel vit = new VitModel(ParameterFactory.random(manager, 1), p.vision(size.world().imageSize()));
            vit.freeze();
            BertConfig text = p.textTower(textVocab);
            PFormer pformer = new PFormer(ParameterFactory.random(manager, 2),
                    PFormerConfig.defaults(text, p.llmWidth(), 4).withNumQueries(size.numQuery()));
            pformer.freeze();
            QFormerConfig qformer = QFormerConfig.defaults(text.withQueryCrossAttention(2, p.visionWidth()),
                    size.numQuery(), textVocab - 1);
            PFormerTargets targets = switch (variant) {
                case OMEGA_ZERO -> null;
                case PER_STEP -> PFormerTargets.perStep(pformer);
                case CACHED -> PFormerTargets.cached(pformer, PFormerTargetCache.build(pformer,
                        world.heldOutPairs(seed, (warmup + steps) * batch, batch).iterator(), "benchmark", manager));
            };
            double omega = variant == Variant.OMEGA_ZERO ? 0 : stage == 1 ? OMEGA1 : OMEGA2;
            Blip2Model model;
            Objective<ImageTextBatch> objective;
            if (stage == 1) {
                Blip2Stage1 s1 = new Blip2Stage1(ParameterFactory.random(manager, 3), qformer, vit,
                        omega > 0 ? p.llmWidth() : 0);
                model = s1;
                objective = new Stage1Objective(s1, targets, omega);
            } else if (stage == 2) {
                OptForCausalLM llm = new OptForCausalLM(ParameterFactory.random(manager, 4),
                        p.llm(world.llmVocabSize()));
                llm.freeze();
                Blip2Stage2 s2 = new Blip2Stage2(ParameterFactory.random(manager, 3), qformer, vit, llm);
                model = s2;
                objective = new Stage2Objective(s2, targets, omega, new long[0]);
            } else {
                throw new IllegalArgumentException("--stages lists 1 and/or 2, got " + stage);
            }
            try (Trainer<ImageTextBatch> trainer = new Trainer<>(model, objective, world.pairs(seed),
                    new Trainer.Config(seed, batch, 1, new LrSchedule(1e-4, 1e-5, 1e-6, 0, warmup + steps),
                            AdamW.Hyper.DEFAULT, 1.0), null)) {
                trainer.train(warmup);
                List<StepMetrics> log = trainer.train(warmup + steps);
                if (variant == Variant.CACHED && log.get(log.size() - 1).get("target_cache_misses") != 0) {
                    throw new IllegalStateException("the target cache missed captions: it must cover the timed steps");
                }
                return log.stream().mapToDouble(s -> s.get("step_time_s")).average().orElseThrow();
            }
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
