package org.pformer.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import java.util.Locale;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.blip2.Blip2Stage1;
import org.pformer.model.blip2.Blip2Stage2;
import org.pformer.model.blip2.PFormerTargetCache;
import org.pformer.model.blip2.PFormerTargets;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.blip2.Stage1Objective;
import org.pformer.model.blip2.Stage2Objective;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.foundation.FoundationPresets;
import org.pformer.model.generate.GenerationConfig;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.pformer.PFormerConfig;
import org.pformer.model.pformer.PFormerObjective;
import org.pformer.model.pformer.SentenceBatch;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.BatchSource;
import org.pformer.model.train.CountingBatchSource;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.Objective;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.Trainer;
import org.pformer.model.train.TrainingListener;
import org.pformer.model.vit.VitModel;

/**
 * Training step time (forward + backward + gradient clipping + AdamW) of our three trained models at the
 * world-default size (or, with {@code --size large}, every tower 256 wide and 4 layers deep), for the side-by-side
 * comparison with the same architectures in PyTorch eager ({@code bench/step_time_reference.py}) and for
 * resident-memory figures (issue 9, items 1 and 6).
 *
 * <ul>
 *   <li>{@code pformer}: stage 0 — P-Former (world-tiny BERT encoder, Q = 8 prompts) against a frozen world-tiny
 *       OPT; L_lm + L_contrast (SimCSE, 2B rows) + L_vocab; batch 64.</li>
 *   <li>{@code stage1}: BLIP-2 stage 1 — Q-Former (8 queries, cross-attention every 2nd layer) on a frozen ViT
 *       (64 px images, 65 tokens); ITC + ITM (hard negatives) + ITG + ω1·alignment to cached P-Former targets;
 *       batch 32.</li>
 *   <li>{@code stage2}: BLIP-2 stage 2 — query-only Q-Former → llm_proj → frozen OPT, L_lm + ω2·alignment to
 *       cached targets; batch 32.</li>
 *   <li>{@code eval}: the captioning evaluation's work — stage-2 beam search (5 beams, 8–30 new tokens, BLIP-2's
 *       NoCaps setting) over batches of 32 images; "step" is one batch (no training).</li>
 * </ul>
 *
 * <p>One batch of the synthetic world ({@link SyntheticShapes}; {@link SyntheticSentenceSource} for stage 0) is
 * built before timing and replayed every step, so that the timed step is the model's work only, as in the
 * reference script; random weights. Prints the batch shapes (the reference script takes them as arguments), then
 * one {@code RESULT} line: mean and median step time over {@code --steps} steps after {@code --warmup} untimed
 * ones, parameter counts, and RSS / peak RSS. With {@code --rss-every N}, an {@code RSS step=… mib=…} line every N
 * steps (the leak check). With {@code --jit-settle N}, the warm-up goes on after {@code --warmup} steps until the
 * JIT compilers have finished nothing new for N consecutive steps (at most {@code --warmup-max-s} seconds of
 * warm-up): the steady state a long training run spends its time in, without compiler threads taking the cores the
 * step's threads run on ({@code THREAD_CPU} shows what they took while steps were timed).
 *
 * <p>With {@code --serve}, the process stays up after the warm-up for a driver that interleaves it with the
 * reference ({@code bench/run_bench.py}, item 1): it prints {@code READY}, then runs one block of steps for every
 * {@code BLOCK n} line on its standard input and answers {@code BLOCK steps=n ms_per_step=…} (the block's wall time
 * in this process over n), until {@code END} or end of input; the {@code RESULT} line then covers every block's
 * steps ({@code --steps} is ignored).
 *
 * <pre>
 * java -cp … org.pformer.model.bench.StepTimeBenchmark --model pformer|stage1|stage2|eval [--steps 30] [--warmup 5]
 *     [--batch N] [--rss-every N] [--size world-default|large] [--profile TRACE_JSON [--profile-steps 10]]
 *     [--jit-settle N [--warmup-max-s 20]] [--serve]
 * </pre>
 */
public final class StepTimeBenchmark {

    /** The P-Former's encoder and LLM sentence length of the replayed batch (world sentences are shorter). */
    static final int SENTENCE_LENGTH = 24;
    private static final double OMEGA1 = 10;
    private static final double OMEGA2 = 100;
    private static final long SEED = 17;
    static final String WORLD_DEFAULT = "world-default";
    static final String LARGE = "large";

    private StepTimeBenchmark() {}

    public static void main(String[] args) {
        String model = option(args, "--model", "pformer");
        int steps = Integer.parseInt(option(args, "--steps", "30"));
        int warmup = Integer.parseInt(option(args, "--warmup", "5"));
        int batch = Integer.parseInt(option(args, "--batch", model.equals("pformer") ? "64" : "32"));
        int rssEvery = Integer.parseInt(option(args, "--rss-every", "0"));
        String size = option(args, "--size", WORLD_DEFAULT);
        String profile = option(args, "--profile", null);
        int profileSteps = profile == null ? 0 : Integer.parseInt(option(args, "--profile-steps", "10"));
        int jitSettle = Integer.parseInt(option(args, "--jit-settle", "0"));
        double warmupMaxS = Double.parseDouble(option(args, "--warmup-max-s", "20"));
        boolean serve = java.util.Arrays.asList(args).contains("--serve");
        if (steps <= 0 || warmup < 0 || batch < 2 || rssEvery < 0 || jitSettle < 0 || !(warmupMaxS > 0)) {
            throw new IllegalArgumentException("need --steps > 0, --warmup >= 0, --batch >= 2, --rss-every >= 0,"
                    + " --jit-settle >= 0, --warmup-max-s > 0");
        }
        if (serve && profile != null) {
            throw new IllegalArgumentException("--profile profiles the steps after --steps timed ones; it does not"
                    + " combine with --serve");
        }
        Warmup warming = new Warmup(warmup, jitSettle, warmupMaxS);
        Engine.getEngine("PyTorch"); // loads the native library (and applies ai.djl.pytorch.num_threads)
        double rssStart = ProcessMemory.rssMib();
        FoundationPresets.Preset p = preset(size);
        SyntheticShapes world = new SyntheticShapes(SyntheticShapes.Spec.full(64));
        int textVocab = world.textVocabSize() + 1; // + [DEC], as the world tokenizer adds it
        int llmVocab = world.llmVocabSize();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            BertConfig text = p.textTower(textVocab);
            OptForCausalLM llm = new OptForCausalLM(ParameterFactory.random(manager, 4), p.llm(llmVocab));
            llm.freeze();
            PFormer pformer = new PFormer(ParameterFactory.random(manager, 2),
                    PFormerConfig.defaults(text, p.llmWidth(), 4).withNumQueries(8));
            Run<?> run = switch (model) {
                case "pformer" -> {
                    SentenceBatch b = new SyntheticSentenceSource(3, textVocab, llmVocab, SENTENCE_LENGTH).next(batch);
                    System.out.printf(Locale.ROOT, "SHAPES size=%s batch=%d text_len=%d llm_len=%d text_vocab=%d"
                            + " llm_vocab=%d%n", size, batch, b.encoder().length(), b.llm().length(), textVocab,
                            llmVocab);
                    yield new Run<>(pformer, new PFormerObjective(pformer, llm, manager), replay(b), llm);
                }
                case "eval" -> {
                    ImageTextBatch b = world.batch(SEED, 0, batch);
                    VitModel vit = new VitModel(ParameterFactory.random(manager, 1), p.vision(b.height()));
                    vit.freeze();
                    QFormerConfig qformer = QFormerConfig.defaults(text.withQueryCrossAttention(2, p.visionWidth()),
                            8, textVocab - 1);
                    Blip2Stage2 s2 = new Blip2Stage2(ParameterFactory.random(manager, 3), qformer, vit, llm);
                    long[][] bos = new long[batch][];
                    long[][] ones = new long[batch][];
                    for (int i = 0; i < batch; i++) {
                        bos[i] = new long[] {2};
                        ones[i] = new long[] {1};
                    }
                    TokenBatch prompt = new TokenBatch(bos, ones);
                    GenerationConfig decoding = GenerationConfig.beams(5, 30, 8, 1.0, 1.0, 3);
                    double[] ms = new double[warmup + steps];
                    for (int i = 0; i < ms.length; i++) {
                        long t = System.nanoTime();
                        try (NDManager step = manager.newSubManager(); NDScope scope = new NDScope()) {
                            scope.suppressNotUsedWarning();
                            s2.generate(b.pixelsArray(step), prompt, decoding);
                        }
                        ms[i] = (System.nanoTime() - t) / 1e6;
                    }
                    double[] timed = java.util.Arrays.stream(ms, warmup, ms.length).sorted().toArray();
                    System.out.printf(Locale.ROOT, "RESULT model=eval mean_ms=%.3f median_ms=%.3f steps=%d warmup=%d"
                            + " batch=%d threads=%d rss_start_mib=%.1f rss_end_mib=%.1f peak_rss_mib=%.1f%n",
                            java.util.Arrays.stream(timed).average().orElseThrow(), timed[timed.length / 2], steps,
                            warmup, batch, JniUtils.getNumThreads(), rssStart, ProcessMemory.rssMib(),
                            ProcessMemory.peakRssMib());
                    yield null;
                }
                case "stage1", "stage2" -> {
                    pformer.freeze();
                    ImageTextBatch b = world.batch(SEED, 0, batch);
                    System.out.printf(Locale.ROOT, "SHAPES size=%s batch=%d text_len=%d llm_len=%d image=%d"
                            + " text_vocab=%d llm_vocab=%d%n", size, batch, b.text().length(), b.llm().length(),
                            b.height(), textVocab, llmVocab);
                    VitModel vit = new VitModel(ParameterFactory.random(manager, 1), p.vision(b.height()));
                    vit.freeze();
                    PFormerTargets targets = PFormerTargets.cached(pformer,
                            PFormerTargetCache.build(pformer, List.of(b).iterator(), "step-time-benchmark", manager));
                    QFormerConfig qformer = QFormerConfig.defaults(text.withQueryCrossAttention(2, p.visionWidth()),
                            8, textVocab - 1);
                    if (model.equals("stage1")) {
                        Blip2Stage1 s1 = new Blip2Stage1(ParameterFactory.random(manager, 3), qformer, vit,
                                p.llmWidth());
                        yield new Run<>(s1, new Stage1Objective(s1, targets, OMEGA1), replay(b), vit);
                    }
                    Blip2Stage2 s2 = new Blip2Stage2(ParameterFactory.random(manager, 3), qformer, vit, llm);
                    yield new Run<>(s2, new Stage2Objective(s2, targets, OMEGA2, new long[0]), replay(b),
                            vit, llm);
                }
                default -> throw new IllegalArgumentException("unknown --model '" + model
                        + "'; expected pformer, stage1, stage2 or eval");
            };
            if (run != null) {
                run.measure(model, batch, steps, serve, warming, rssEvery, rssStart, profile, profileSteps);
            }
        }
    }

    /** A model, its objective, the replayed batch and the frozen modules it reads. */
    private record Run<B>(Module model, Objective<B> objective, BatchSource<B> source, Module... frozen) {

        /** Times {@code steps} steps after the warm-up, or with {@code serve} the blocks of steps asked for. */
        @SuppressWarnings("unchecked")
        void measure(String name, int batch, int steps, boolean serve, Warmup warming, int rssEvery,
                double rssStart, String profile, int profileSteps) {
            long frozenCount = 0;
            for (Module m : frozen) {
                frozenCount += m.parameterCount();
            }
            try (Trainer<B> trainer = new Trainer<>(model, (Objective<B>) objective, source,
                    new Trainer.Config(SEED, batch, 1,
                            new LrSchedule(1e-4, 1e-5, 1e-6, 0,
                                    warming.steps() + (serve ? 1_000_000 : steps) + profileSteps),
                            AdamW.Hyper.DEFAULT, 1.0),
                    new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            if (rssEvery > 0 && m.step() % rssEvery == 0) {
                                System.out.printf(Locale.ROOT, "RSS step=%d mib=%.1f%n", m.step(),
                                        ProcessMemory.rssMib());
                            }
                        }
                    })) {
                int warmup = warming.run(trainer);
                ThreadCpu cpuBefore = ThreadCpu.snapshot();
                List<StepMetrics> log = serve ? serveBlocks(trainer, warmup, warming)
                        : trainer.train(warmup + steps);
                // which threads took the cores while the steps were timed (JIT compilers finishing late, GC)
                System.out.println("THREAD_CPU " + ThreadCpu.format(ThreadCpu.snapshot().since(cpuBefore)));
                double[] ms = log.stream().mapToDouble(s -> s.get("step_time_s") * 1e3).sorted().toArray();
                double mean = java.util.Arrays.stream(ms).average().orElseThrow();
                System.out.printf(Locale.ROOT, "RESULT model=%s mean_ms=%.3f median_ms=%.3f steps=%d warmup=%d"
                        + " batch=%d trainable=%d frozen=%d threads=%d rss_start_mib=%.1f rss_end_mib=%.1f"
                        + " peak_rss_mib=%.1f loss=%.4f trainable_tensors=%d fused_tensors=%d jit_settled=%s%n", name,
                        mean,
                        ms[ms.length / 2], log.size(), warmup, batch,
                        model.trainableParameters().values().stream().mapToLong(q -> q.shape().size()).sum(),
                        frozenCount, JniUtils.getNumThreads(), rssStart, ProcessMemory.rssMib(),
                        ProcessMemory.peakRssMib(), log.get(log.size() - 1).get("loss"),
                        model.trainableParameters().size(), trainer.optimizer().lastFusedParameters(),
                        warming.settled());
                if (profile != null) {
                    // libtorch's autograd profiler (as torch.profiler on the reference side): a chrome trace of
                    // every aten operator of the next steps, for bench/profile_compare.py
                    JniUtils.startProfile(false, true, false);
                    trainer.train(warmup + log.size() + profileSteps);
                    JniUtils.stopProfile(profile);
                    System.out.printf(Locale.ROOT, "PROFILE steps=%d trace=%s%n", profileSteps, profile);
                }
            }
            if (objective instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** --serve on this process's standard input and output. */
    static List<StepMetrics> serveBlocks(Trainer<?> trainer, int warmup, Warmup warming) {
        List<StepMetrics> all = new java.util.ArrayList<>();
        serve(new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8)), System.out,
                String.format(Locale.ROOT, "READY warmup=%d jit_settled=%s", warmup, warming.settled()), n -> {
                    List<StepMetrics> block = trainer.train(warmup + all.size() + n);
                    all.addAll(block);
                    return block.stream().mapToDouble(s -> s.get("step_time_s") * 1e3).toArray();
                });
        return all;
    }

    /**
     * The --serve protocol: prints {@code ready}, then for every {@code BLOCK n} line of {@code in} runs
     * {@code block} (n steps, returning their step times in ms) and answers {@code BLOCK steps=n ms_per_step=…
     * median_ms=…} (the block's wall time over n), until {@code END} or the end of {@code in}. A line that is
     * neither, or an input that ends before any block, is an error that says what was expected.
     */
    static void serve(java.io.BufferedReader in, java.io.PrintStream out, String ready,
            java.util.function.IntFunction<double[]> block) {
        out.println(ready);
        out.flush();
        int blocks = 0;
        try {
            for (String line = in.readLine(); line != null && !line.strip().equals("END"); line = in.readLine()) {
                String[] words = line.strip().split("\\s+");
                int n = words.length == 2 && words[0].equals("BLOCK") && words[1].matches("[0-9]{1,9}")
                        ? Integer.parseInt(words[1]) : 0;
                if (n <= 0) {
                    throw new IllegalArgumentException("--serve, standard input: expected 'BLOCK <steps > 0>' or"
                            + " 'END', got '" + line + "'");
                }
                long t0 = System.nanoTime();
                double[] ms = block.apply(n);
                double wallMs = (System.nanoTime() - t0) / 1e6;
                double[] sorted = ms.clone();
                java.util.Arrays.sort(sorted);
                out.printf(Locale.ROOT, "BLOCK steps=%d ms_per_step=%.3f median_ms=%.3f%n", n, wallMs / n,
                        sorted[sorted.length / 2]);
                out.flush();
                blocks++;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("--serve: reading the block commands from standard input", e);
        }
        if (blocks == 0) {
            throw new IllegalStateException("--serve: the input ended before any 'BLOCK <steps>' line");
        }
    }

    /**
     * The untimed warm-up: {@code min} steps, then (with {@code jitSettle} > 0) single steps until the JIT's total
     * compilation time has not grown over {@code jitSettle} consecutive steps, or {@code maxSeconds} of warm-up.
     */
    static final class Warmup {
        private final int min;
        private final int jitSettle;
        private final double maxSeconds;
        private Boolean settled;

        Warmup(int min, int jitSettle, double maxSeconds) {
            this.min = min;
            this.jitSettle = jitSettle;
            this.maxSeconds = maxSeconds;
        }

        /** An upper bound of the warm-up steps, for the learning-rate schedule's length. */
        int steps() {
            return jitSettle == 0 ? min : min + 100_000;
        }

        /** Runs the warm-up; returns the steps it took. */
        int run(Trainer<?> trainer) {
            long t0 = System.nanoTime();
            trainer.train(min);
            int done = min;
            if (jitSettle == 0) {
                return done;
            }
            java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            long last = jit.getTotalCompilationTime();
            int quiet = 0;
            while (quiet < jitSettle && (System.nanoTime() - t0) / 1e9 < maxSeconds) {
                trainer.train(++done);
                long now = jit.getTotalCompilationTime();
                quiet = now == last ? quiet + 1 : 0;
                last = now;
            }
            settled = quiet >= jitSettle;
            return done;
        }

        /** "true"/"false" after a settling warm-up, "-" without one. */
        String settled() {
            return settled == null ? "-" : settled.toString();
        }
    }

    /** The same batch every step. */
    private static <B> BatchSource<B> replay(B batch) {
        return new CountingBatchSource<>() {
            @Override
            public B next(int batchSize) {
                advance(1);
                return batch;
            }
        };
    }

    /**
     * The towers of a {@code --size}: {@value #WORLD_DEFAULT} is the shipped world's ({@link
     * FoundationPresets#worldTiny()}: 64 wide, 2 layers, FFN 256); {@value #LARGE} is every tower 256 wide, 4 layers,
     * FFN 1024 (4 heads of 64, BERT-base's head width), where the step is arithmetic rather than per-operator
     * overhead. The reference script's {@code --size} builds the same towers.
     */
    static FoundationPresets.Preset preset(String size) {
        return switch (size) {
            case WORLD_DEFAULT -> FoundationPresets.worldTiny();
            case LARGE -> new FoundationPresets.Preset(LARGE, 4, 256, 4, 256, 4, 256, 64, 256, 4, 128);
            default -> throw new IllegalArgumentException("unknown --size '" + size + "'; expected " + WORLD_DEFAULT
                    + " or " + LARGE);
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
