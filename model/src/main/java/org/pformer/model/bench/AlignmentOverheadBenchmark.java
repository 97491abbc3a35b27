package org.pformer.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.blip2.Blip2Stage1;
import org.pformer.model.blip2.Blip2Stage2;
import org.pformer.model.blip2.PFormerTargetCache;
import org.pformer.model.blip2.PFormerTargets;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.blip2.Stage1Losses;
import org.pformer.model.blip2.Stage1Objective;
import org.pformer.model.blip2.Stage2Objective;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.foundation.FoundationPresets;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.NoGrad;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.pformer.PFormerConfig;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.GradientClipping;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.Objective;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.Trainer;
import org.pformer.model.vit.VitModel;

/**
 * What the P-Former alignment loss costs per training step (paper §3.4, METHOD.md "Cost note"): BLIP-2 stage 1 and
 * stage 2 step time with ω = 0 (plain BLIP-2) against ω &gt; 0 with the P-Former's [CLS] states read from a
 * {@link PFormerTargetCache} (the target) and, as a report, with the frozen P-Former run every step.
 *
 * <p>A paired design, so that a fraction of a per cent can be resolved on a shared machine whose speed drifts by
 * several per cent from one second to the next. Per stage, in one JVM: one replayed batch (world-default shapes,
 * {@link SyntheticShapes}); one trainer per variant over models with identical initial weights (the same seed; the
 * frozen ViT, LLM and P-Former shared), the same trainer settings (batch, schedule, AdamW, clipping); ω &gt; 0
 * differs only by the alignment term — in stage 1 that term includes {@code align_proj}, the projection ω1 &gt; 0
 * adds to the trainable parameters, with its backward pass, clipping and AdamW update. After an untimed warm-up of
 * every variant, {@code --rounds} rounds each run one block of steps per variant, in an order that cycles through
 * every permutation (so each variant runs first, in the middle and last equally often); a block lasts about
 * {@code --block-ms} at the ω = 0 step time. One paired observation per round and variant: the ratio of the
 * block's fastest step to the fastest step of ω = 0's block in the same round (other processes only ever add time
 * to a step, so a block's fastest step is its least disturbed one; a slow second of the machine hits both blocks
 * of a round alike). The median over rounds ignores the rounds a burst of other work hit unevenly; its 95 %
 * confidence interval is distribution-free (order statistics of the paired ratios, binomial coverage), and its
 * half-width is the overhead this run can resolve. The same with block means is printed beside it.
 *
 * <p>Then, for a resolution that a loaded machine does not spoil, what the term adds to the trainer's per-step
 * work is timed as the difference of two step skeletons, with and without it ({@link #marginalAlignmentCost}: the
 * fastest of many repetitions of a millisecond sequence each), and put in proportion to the fastest ω = 0 step; a
 * third skeleton, the term against targets held as a tensor, splits it into the loss's own cost and the targets'.
 *
 * <p>Prints, per stage and variant, a table line and a machine-readable {@code RESULT stage=… variant=…} line.
 *
 * <pre>
 * java -cp … org.pformer.model.bench.AlignmentOverheadBenchmark [--size world-tiny|world-default|large] [--batch N]
 *     [--rounds 60] [--block-ms 600] [--warmup 10] [--stages 1,2]
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
                // world-default's data and batch with every tower 256 wide and 4 deep (StepTimeBenchmark's large):
                // where the step is arithmetic, as at paper scale, rather than per-operator overhead
                case StepTimeBenchmark.LARGE -> new Size(name, StepTimeBenchmark.preset(StepTimeBenchmark.LARGE),
                        SyntheticShapes.Spec.full(64), 8, 32);
                default -> throw new IllegalArgumentException("unknown --size '" + name
                        + "'; expected world-tiny, world-default or " + StepTimeBenchmark.LARGE);
            };
        }
    }

    /** How the stage gets its alignment targets. */
    enum Variant {
        OMEGA_ZERO("ω=0"), CACHED("ω>0 cached"), PER_STEP("ω>0 uncached");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private static final double OMEGA1 = 10;
    private static final double OMEGA2 = 100;
    private static final long SEED = 17;
    private static final int MARGINAL_REPETITIONS = 300;
    /** The marginal cost's skeletons: without the term, with it (cached targets), with it against held targets. */
    private static final int WITHOUT = 0;
    private static final int WITH = 1;
    private static final int HELD = 2;
    private static final int SKELETONS = 3;

    private final Size size;
    private final SyntheticShapes world;
    private final int batch;
    private final int textVocab;

    AlignmentOverheadBenchmark(Size size, int batch) {
        this.size = size;
        this.world = new SyntheticShapes(size.world());
        this.batch = batch;
        this.textVocab = world.textVocabSize() + 1; // + [DEC], as the world tokenizer adds it
    }

    public static void main(String[] args) {
        Size size = Size.byName(option(args, "--size", "world-tiny"));
        int batch = Integer.parseInt(option(args, "--batch", Integer.toString(size.batch())));
        int rounds = Integer.parseInt(option(args, "--rounds", "60"));
        double blockMs = Double.parseDouble(option(args, "--block-ms", "600"));
        int warmup = Integer.parseInt(option(args, "--warmup", "10"));
        List<Integer> stages = Arrays.stream(option(args, "--stages", "1,2").split(",")).map(String::trim)
                .map(Integer::parseInt).toList();
        if (rounds < 6 || !(blockMs > 0) || warmup < 1 || batch < 2) {
            throw new IllegalArgumentException("need --rounds >= 6, --block-ms > 0, --warmup >= 1, --batch >= 2");
        }
        for (int stage : stages) {
            if (stage != 1 && stage != 2) {
                throw new IllegalArgumentException("--stages lists 1 and/or 2, got " + stage);
            }
        }
        AlignmentOverheadBenchmark bench = new AlignmentOverheadBenchmark(size, batch);
        Engine.getEngine("PyTorch"); // loads the native library before its thread count is read
        FoundationPresets.Preset p = size.backbones();
        System.out.printf(Locale.ROOT, "size=%s image=%dpx batch=%d Q=%d rounds=%d block≈%.0f ms warm-up=%d steps"
                + " threads=%d; ViT %d x %d, Q-Former and P-Former encoder %d x %d, LLM %d x %d; ω1=%s, ω2=%s%n",
                size.name(), size.world().imageSize(), batch, size.numQuery(), rounds, blockMs, warmup,
                JniUtils.getNumThreads(), p.visionLayers(), p.visionWidth(), p.textLayers(), p.textWidth(),
                p.llmLayers(), p.llmWidth(), OMEGA1, OMEGA2);
        for (int stage : stages) {
            bench.measure(stage, rounds, blockMs, warmup);
        }
    }

    /** One variant of a stage: its model and trainer (replaying the same batch as every other variant). */
    private record Arm(Variant variant, Module model, Trainer<ImageTextBatch> trainer) {

        /** The step times (s) of the next {@code steps} steps. */
        double[] block(int steps) {
            List<StepMetrics> log = trainer.train(trainer.currentStep() + steps);
            if (variant == Variant.CACHED && log.get(log.size() - 1).get("target_cache_misses") != 0) {
                throw new IllegalStateException("the target cache missed captions: it must hold the replayed batch");
            }
            return log.stream().mapToDouble(s -> s.get("step_time_s")).toArray();
        }

        long trainable() {
            return model.trainableParameters().values().stream().mapToLong(q -> q.shape().size()).sum();
        }
    }

    void measure(int stage, int rounds, double blockMs, int warmup) {
        FoundationPresets.Preset p = size.backbones();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            ImageTextBatch b = world.batch(SEED, 0, batch);
            VitModel vit = new VitModel(ParameterFactory.random(manager, 1), p.vision(size.world().imageSize()));
            vit.freeze();
            BertConfig text = p.textTower(textVocab);
            PFormer pformer = new PFormer(ParameterFactory.random(manager, 2),
                    PFormerConfig.defaults(text, p.llmWidth(), 4).withNumQueries(size.numQuery()));
            pformer.freeze();
            QFormerConfig qformer = QFormerConfig.defaults(text.withQueryCrossAttention(2, p.visionWidth()),
                    size.numQuery(), textVocab - 1);
            OptForCausalLM llm = null;
            if (stage == 2) {
                llm = new OptForCausalLM(ParameterFactory.random(manager, 4), p.llm(world.llmVocabSize()));
                llm.freeze();
            }
            PFormerTargetCache cache = PFormerTargetCache.build(pformer, List.of(b).iterator(), "benchmark", manager);
            Map<Variant, Arm> arms = new EnumMap<>(Variant.class);
            for (Variant v : Variant.values()) {
                PFormerTargets targets = switch (v) {
                    case OMEGA_ZERO -> null;
                    case PER_STEP -> PFormerTargets.perStep(pformer);
                    case CACHED -> PFormerTargets.cached(pformer, cache);
                };
                double omega = v == Variant.OMEGA_ZERO ? 0 : stage == 1 ? OMEGA1 : OMEGA2;
                Module model;
                Objective<ImageTextBatch> objective;
                // ParameterFactory seed 3 for every variant: the same initial weights (align_proj comes last)
                if (stage == 1) {
                    Blip2Stage1 s1 = new Blip2Stage1(ParameterFactory.random(manager, 3), qformer, vit,
                            omega > 0 ? p.llmWidth() : 0);
                    model = s1;
                    objective = new Stage1Objective(s1, targets, omega);
                } else {
                    Blip2Stage2 s2 = new Blip2Stage2(ParameterFactory.random(manager, 3), qformer, vit, llm);
                    model = s2;
                    objective = new Stage2Objective(s2, targets, omega, new long[0]);
                }
                arms.put(v, new Arm(v, model, new Trainer<>(model, objective, replay(b),
                        new Trainer.Config(SEED, batch, 1, new LrSchedule(1e-4, 1e-5, 1e-6, 0, 1_000_000),
                                AdamW.Hyper.DEFAULT, 1.0), null)));
            }
            try {
                double zeroMin = run(stage, arms, rounds, blockMs, warmup, b);
                Marginal marginal = marginalAlignmentCost(stage, arms.get(Variant.CACHED).model(),
                        PFormerTargets.cached(pformer, cache), b, manager);
                System.out.printf(Locale.ROOT, "  the alignment term's marginal cost in a step skeleton (cached targets,"
                        + " fastest of %d each): %.3f ms = %+.2f %% of the fastest ω=0 step (skeleton %.3f ms without,"
                        + " %.3f ms with; median of paired differences %.3f ms)%n", MARGINAL_REPETITIONS,
                        marginal.seconds() * 1e3, marginal.seconds() / zeroMin * 100, marginal.without() * 1e3,
                        marginal.with() * 1e3, marginal.medianDifference() * 1e3);
                System.out.printf(Locale.ROOT, "  of which the cached targets (lookup, copy, the P-Former head) %.3f ms"
                        + " = %+.2f %%, and L_align%s against targets held as a tensor (the floor of any cache)"
                        + " %.3f ms = %+.2f %% (skeleton %.3f ms)%n", marginal.targets() * 1e3,
                        marginal.targets() / zeroMin * 100, stage == 1 ? " with align_proj" : "",
                        marginal.floor() * 1e3, marginal.floor() / zeroMin * 100, marginal.held() * 1e3);
                System.out.printf(Locale.ROOT, "RESULT stage=%d variant=marginal ms=%.4f skeleton_ms=%.4f"
                        + " with_ms=%.4f held_ms=%.4f median_diff_ms=%.4f base_min_ms=%.3f ratio=%.5f targets_ms=%.4f"
                        + " floor_ms=%.4f floor_ratio=%.5f%n", stage, marginal.seconds() * 1e3,
                        marginal.without() * 1e3, marginal.with() * 1e3, marginal.held() * 1e3,
                        marginal.medianDifference() * 1e3, zeroMin * 1e3, 1 + marginal.seconds() / zeroMin,
                        marginal.targets() * 1e3, marginal.floor() * 1e3, 1 + marginal.floor() / zeroMin);
            } finally {
                arms.values().forEach(a -> a.trainer().close());
            }
        }
    }

    /** The paired comparison; returns the fastest ω = 0 step (s). */
    private double run(int stage, Map<Variant, Arm> arms, int rounds, double blockMs, int warmup, ImageTextBatch b) {
        // warm-up: JIT and allocator caches of every variant, in alternation; the ω = 0 time sizes the blocks
        double zeroStep = Double.MAX_VALUE;
        for (int w = 0; w < 2; w++) {
            for (Arm arm : arms.values()) {
                double[] t = arm.block(Math.max(1, warmup / 2));
                if (arm.variant() == Variant.OMEGA_ZERO) {
                    zeroStep = Math.min(zeroStep, min(t));
                }
            }
        }
        int block = Math.max(2, (int) Math.round(blockMs / 1e3 / zeroStep));
        Map<Variant, double[][]> steps = new EnumMap<>(Variant.class);
        arms.keySet().forEach(v -> steps.put(v, new double[rounds][]));
        long started = System.nanoTime();
        List<List<Variant>> schedule = schedule(rounds, new SplittableRandom(SEED + stage));
        for (int r = 0; r < rounds; r++) {
            for (Variant v : schedule.get(r)) {
                steps.get(v)[r] = arms.get(v).block(block);
            }
        }
        double minutes = (System.nanoTime() - started) / 6e10;

        long zeroParams = arms.get(Variant.OMEGA_ZERO).trainable();
        long alignParams = arms.get(Variant.CACHED).trainable() - zeroParams;
        System.out.printf(Locale.ROOT, "%nstage %d: %d rounds x %d variants x %d steps (%.1f min), batch %d; trainable"
                + " params ω=0 %d, ω>0 %d%n", stage, rounds, arms.size(), block, minutes, b.size(), zeroParams,
                zeroParams + alignParams);
        System.out.println("  extra work of ω>0 per step: " + extraWork(stage, b.size(), alignParams));
        System.out.printf(Locale.ROOT, "  %-14s %20s %36s %36s%n", "targets", "step ms min / median",
                "ratio of block minima [95% CI] (res.)", "ratio of block means [95% CI] (res.)");
        double[] zeroMin = perBlock(steps.get(Variant.OMEGA_ZERO), AlignmentOverheadBenchmark::min);
        double[] zeroMean = perBlock(steps.get(Variant.OMEGA_ZERO), AlignmentOverheadBenchmark::mean);
        for (Variant v : Variant.values()) {
            double[] all = Arrays.stream(steps.get(v)).flatMapToDouble(Arrays::stream).toArray();
            PairedRatio fastest = PairedRatio.of(perBlock(steps.get(v), AlignmentOverheadBenchmark::min), zeroMin);
            PairedRatio mean = PairedRatio.of(perBlock(steps.get(v), AlignmentOverheadBenchmark::mean), zeroMean);
            System.out.printf(Locale.ROOT, "  %-14s %9.1f / %8.1f %36s %36s%n", v.label, min(all) * 1e3,
                    median(all) * 1e3, fastest, mean);
            System.out.printf(Locale.ROOT, "RESULT stage=%d variant=%s rounds=%d block_steps=%d min_ms=%.3f"
                    + " median_ms=%.3f ratio=%.5f ci_low=%.5f ci_high=%.5f mean_ratio=%.5f mean_ci_low=%.5f"
                    + " mean_ci_high=%.5f trainable=%d extra_params=%d batch=%d minutes=%.2f%n", stage,
                    v.name().toLowerCase(Locale.ROOT), rounds, block, min(all) * 1e3, median(all) * 1e3,
                    fastest.median(), fastest.low(), fastest.high(), mean.median(), mean.low(), mean.high(),
                    zeroParams + (v == Variant.OMEGA_ZERO ? 0 : alignParams),
                    v == Variant.OMEGA_ZERO ? 0 : alignParams, b.size(), minutes);
        }
        return Arrays.stream(steps.get(Variant.OMEGA_ZERO)).flatMapToDouble(Arrays::stream).min().orElseThrow();
    }

    /**
     * The fastest skeleton (s) without the term, with it (cached targets, as a step computes them) and with it against
     * targets held as a tensor, and the median of the repetitions' paired differences (with − without).
     */
    record Marginal(double without, double with, double held, double medianDifference) {

        /** What the term adds: the difference of the fastest skeletons with and without it. */
        double seconds() {
            return with - without;
        }

        /**
         * What L_align itself adds (and align_proj in stage 1) when its targets cost nothing: the floor that no target
         * cache can go below.
         */
        double floor() {
            return held - without;
        }

        /** What the cached targets add on top of the floor: the cache lookup, the copy and the P-Former head. */
        double targets() {
            return with - held;
        }
    }

    /**
     * What the alignment term adds to a step, as the difference of step skeletons timed in rotation (the fastest of
     * {@value #MARGINAL_REPETITIONS} each). The skeleton is the trainer's work that every step does once
     * for all its terms ({@code Trainer.step}): zeroing the trainable gradients, a gradient collector around the
     * terms, their sum and one backward pass, every term's loss read, the global gradient norm and the fused AdamW
     * update over the ω &gt; 0 model's trainable parameters. Without the term it sums one stand-in for the other
     * terms (the mean of the prediction's input, so that the backward pass has a graph); with it, also the cached
     * targets, L_align (and align_proj in stage 1) and its {@code align_mse} read. The fixed cost of the collector,
     * the backward call, the norm and the update is paid on both sides and cancels, as it does in the real step
     * (timing the term alone, as until session 10, charged it a backward call, a norm and an update of its own).
     *
     * <p>Every skeleton updates the same parameters with the same optimizer: over two models' separate buffers, the
     * update of millions of parameters differed by several milliseconds from one model to the other, whatever the
     * term. So align_proj is updated on both sides (with a zero gradient without the term), and its share of the
     * update is not counted: {@code extra_params} of {@code trainable} elements, under 2 % of an update that is
     * itself a few per cent of the step.
     *
     * <p>A third skeleton runs the term against the same targets computed once before timing and held as a tensor:
     * L_align (and align_proj) alone, the floor that no target cache can go below, so the report can say how much
     * of the term is the cached targets (the lookup, the copy and the three head layers METHOD.md's cost note keeps
     * per step) and how much the loss itself.
     *
     * <p>The term runs with the caches as the previous skeleton's AdamW update left them: colder than when timed
     * alone, warmer than after a whole forward pass.
     */
    Marginal marginalAlignmentCost(int stage, Module alignModel, PFormerTargets targets, ImageTextBatch b,
            NDManager manager) {
        int q = size.numQuery();
        double omega = stage == 1 ? OMEGA1 : OMEGA2;
        long width = stage == 1 ? size.backbones().textWidth() : size.backbones().llmWidth();
        Map<String, Parameter> params = alignModel.trainableParameters();
        double[] fastest = new double[SKELETONS];
        Arrays.fill(fastest, Double.MAX_VALUE);
        double[] differences = new double[MARGINAL_REPETITIONS];
        try (NDManager state = manager.newSubManager()) {
            AdamW adam = new AdamW(params, AdamW.Hyper.DEFAULT, state);
            withGradients(params, state);
            NDArray held = targets.targets(b, state);
            for (int rep = 0; rep < MARGINAL_REPETITIONS; rep++) {
                double[] t = new double[SKELETONS];
                for (int k = 0; k < SKELETONS; k++) {
                    int skeleton = (rep + k) % SKELETONS; // rotate which skeleton runs first
                    try (NDManager m = state.newSubManager(); NDScope scope = new NDScope();
                            NoGrad noGrad = NoGrad.enter()) {
                        scope.suppressNotUsedWarning();
                        NDArray input = m.randomNormal(new Shape(b.size(), q, width));
                        input.setRequiresGradient(true);
                        long t0 = System.nanoTime();
                        params.values().forEach(Parameter::zeroGradient);
                        List<NDArray> terms = new ArrayList<>();
                        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                            terms.add(input.mean()); // the other terms' stand-in
                            if (skeleton != WITHOUT) {
                                NDArray prediction = stage == 1 ? ((Blip2Stage1) alignModel).alignPrompt(input) : input;
                                NDArray align = Stage1Losses.alignmentLoss(prediction,
                                        skeleton == WITH ? targets.targets(b, m) : held);
                                align.getFloat(); // the objective's align_mse
                                terms.add(Functional.scale(align, omega));
                            }
                            NDArray total = terms.get(0);
                            for (int i = 1; i < terms.size(); i++) {
                                total = total.add(terms.get(i));
                            }
                            collector.backward(Functional.scale(total, 1.0));
                        }
                        terms.forEach(NDArray::getFloat); // the trainer's loss reads
                        Map<String, NDArray> gradients = AdamW.gradients(params);
                        double norm = GradientClipping.globalNorm(gradients.values());
                        adam.step(1e-5, GradientClipping.coefficient(norm, 1.0), gradients);
                        t[skeleton] = (System.nanoTime() - t0) / 1e9;
                    }
                }
                for (int k = 0; k < SKELETONS; k++) {
                    fastest[k] = Math.min(fastest[k], t[k]);
                }
                differences[rep] = t[WITH] - t[WITHOUT];
            }
        }
        return new Marginal(fastest[WITHOUT], fastest[WITH], fastest[HELD], median(differences));
    }

    /**
     * Gives every parameter a gradient, as a step's backward pass does, so that the skeletons' norm and update cover
     * the whole model: one backward pass through every parameter. Call it after building the optimizer: building it
     * lays the parameters out in its fused groups, which replaces their arrays and drops their gradients.
     */
    static void withGradients(Map<String, Parameter> params, NDManager manager) {
        try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope(); NoGrad noGrad = NoGrad.enter();
                GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray total = m.create(0f);
            for (Parameter p : params.values()) {
                total = total.add(p.array().sum());
            }
            collector.backward(total);
        }
        long missing = params.values().stream().filter(p -> p.gradientOrNull() == null).count();
        if (missing > 0) {
            throw new IllegalStateException(missing + " of " + params.size() + " parameters have no gradient");
        }
    }

    /**
     * The order of the variants in each round: every permutation once per cycle, the cycles shuffled, so that each
     * variant runs first, in the middle and last equally often.
     */
    static List<List<Variant>> schedule(int rounds, SplittableRandom random) {
        List<List<Variant>> orders = permutations(List.of(Variant.values()));
        List<List<Variant>> out = new ArrayList<>();
        while (out.size() < rounds) {
            List<List<Variant>> cycle = new ArrayList<>(orders);
            for (int i = cycle.size() - 1; i > 0; i--) {
                java.util.Collections.swap(cycle, i, random.nextInt(i + 1));
            }
            out.addAll(cycle);
        }
        return out.subList(0, rounds);
    }

    private static double[] perBlock(double[][] blocks, java.util.function.ToDoubleFunction<double[]> f) {
        return Arrays.stream(blocks).mapToDouble(f).toArray();
    }

    /** What the alignment term adds to a step of {@code stage} (cached targets), for the report. */
    private String extraWork(int stage, int b, long alignParams) {
        int q = size.numQuery();
        int h = size.backbones().textWidth();
        int hl = size.backbones().llmWidth();
        String common = String.format(Locale.ROOT, "cache lookup of %d captions and one %dx%d float copy to a tensor;"
                + " the frozen P-Former's cls_proj -> prompt_pooler -> llm_proj on it (no grad) giving targets"
                + " %dx%dx%d; MSE and its backward", b, b, h, b, q, hl);
        return stage == 1 ? common + String.format(Locale.ROOT, "; align_proj (%d -> %d, %d params) forward,"
                + " backward, clipping and AdamW update", h, hl, alignParams)
                : common + " (into the soft prompt llm_proj already makes; no extra parameters)";
    }

    /** The median of paired ratios with its distribution-free 95 % confidence interval. */
    record PairedRatio(double median, double low, double high) {

        /** Over the rounds' ratios {@code values[r] / base[r]}. */
        static PairedRatio of(double[] values, double[] base) {
            double[] s = new double[values.length];
            for (int r = 0; r < s.length; r++) {
                s[r] = values[r] / base[r];
            }
            Arrays.sort(s);
            int k = orderStatisticRank(s.length);
            return new PairedRatio(AlignmentOverheadBenchmark.median(s), s[k - 1], s[s.length - k]);
        }

        /**
         * The largest rank k (1-based) with P(Binomial(n, 1/2) &lt; k) &le; 2.5 %: [x_(k), x_(n-k+1)] then covers
         * the median with at least 95 % probability, whatever the distribution.
         */
        static int orderStatisticRank(int n) {
            double p = Math.pow(0.5, n); // P(X = 0)
            double cdf = 0;
            int k = 0;
            while (k < n / 2 && cdf + p <= 0.025) {
                cdf += p;
                k++;
                p = p * (n - k + 1) / k; // P(X = k)
            }
            return Math.max(1, k);
        }

        /** Half the width of the confidence interval, in per cent: what a run can resolve. */
        double resolutionPercent() {
            return (high - low) / 2 * 100;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%+7.2f %% [%+6.2f, %+6.2f] (±%.2f %%)", (median - 1) * 100,
                    (low - 1) * 100, (high - 1) * 100, resolutionPercent());
        }
    }

    /** Every ordering of {@code items}. */
    static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> perm = new ArrayList<>();
                perm.add(first);
                perm.addAll(tail);
                out.add(perm);
            }
        }
        return out;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }

    /** The same batch every step. */
    private static <B> CountingBatchSource<B> replay(B batch) {
        return new CountingBatchSource<>() {
            @Override
            public B next(int batchSize) {
                advance(1);
                return batch;
            }
        };
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
