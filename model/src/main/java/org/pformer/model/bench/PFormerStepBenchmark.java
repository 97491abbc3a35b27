package org.pformer.model.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.pformer.PFormer;
import org.pformer.model.pformer.PFormerConfig;
import org.pformer.model.pformer.PFormerObjective;
import org.pformer.model.pformer.SentenceBatch;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.Trainer;
import org.pformer.model.train.TrainingListener;

/**
 * Measures P-Former training step time and resident memory at a given size on this machine (stage 0, SimCSE
 * contrast, frozen LLM, random weights, synthetic token batches).
 *
 * <pre>
 * java -cp … org.pformer.model.bench.PFormerStepBenchmark [--preset tiny|benchmark] [--vocab small|hf]
 *     [--batch 32] [--steps 30] [--warmup 3] [--rss-every N]
 * </pre>
 */
public final class PFormerStepBenchmark {

    private PFormerStepBenchmark() {}

    public static void main(String[] args) {
        String preset = option(args, "--preset", "benchmark");
        String vocab = option(args, "--vocab", "small");
        int batch = Integer.parseInt(option(args, "--batch", "32"));
        int steps = Integer.parseInt(option(args, "--steps", "30"));
        int warmup = Integer.parseInt(option(args, "--warmup", "3"));
        int rssEvery = Integer.parseInt(option(args, "--rss-every", "0"));
        int encoderVocab = vocab.equals("hf") ? 30522 : 1000;
        int llmVocab = vocab.equals("hf") ? 50272 : 1000;

        BertConfig encoder;
        OptConfig llmConfig;
        int queries;
        int textLength = 32;
        switch (preset) {
            case "tiny" -> {
                encoder = BertConfig.tiny(encoderVocab);
                llmConfig = OptConfig.tiny(llmVocab);
                queries = 8;
                textLength = 16;
            }
            case "benchmark" -> {
                encoder = new BertConfig(encoderVocab, 128, 4, 4, 512, 64, 2, 1e-12, 0.1, 0.1, 0, 0, false);
                llmConfig = new OptConfig(llmVocab, 128, 4, 4, 512, 128, 128, true, 0.1, 0.0, 1, 2);
                queries = 32;
            }
            default -> throw new IllegalArgumentException("unknown preset '" + preset + "' (tiny|benchmark)");
        }
        double rssStart = ProcessMemory.rssMib();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            PFormerConfig config = PFormerConfig.defaults(encoder, llmConfig.wordEmbedProjDim(), 103)
                    .withNumQueries(queries);
            PFormer pformer = new PFormer(ParameterFactory.random(manager, 1), config);
            OptForCausalLM llm = new OptForCausalLM(ParameterFactory.random(manager, 2), llmConfig);
            llm.freeze();
            try (PFormerObjective objective = new PFormerObjective(pformer, llm, manager);
                    Trainer<SentenceBatch> trainer = new Trainer<>(pformer, objective,
                            new SyntheticSentenceSource(3, encoderVocab, llmVocab, textLength),
                            new Trainer.Config(1, batch, 1, LrSchedule.stage0(steps + warmup), AdamW.Hyper.DEFAULT, 1.0),
                            new TrainingListener() {
                                @Override
                                public void onStep(StepMetrics m) {
                                    if (rssEvery > 0 && m.step() % rssEvery == 0) {
                                        System.out.printf(Locale.ROOT, "step %d: RSS %.0f MiB%n", m.step(),
                                                ProcessMemory.rssMib());
                                    }
                                }
                            })) {
                trainer.train(warmup);
                double rssAfterWarmup = ProcessMemory.rssMib();
                List<StepMetrics> log = trainer.train(warmup + steps);
                double[] times = log.stream().mapToDouble(s -> s.get("step_time_s")).sorted().toArray();
                double mean = Arrays.stream(times).average().orElse(Double.NaN);
                System.out.printf(Locale.ROOT, "preset=%s vocab=%d/%d batch=%d text_len=%d queries=%d threads=%d%n",
                        preset, encoderVocab, llmVocab, batch, textLength, queries, JniUtils.getNumThreads());
                System.out.printf(Locale.ROOT, "encoder: %d x %d (heads %d, ffn %d); llm: %d x %d (heads %d, ffn %d)%n",
                        encoder.numLayers(), encoder.hiddenSize(), encoder.numHeads(), encoder.intermediateSize(),
                        llmConfig.numLayers(), llmConfig.hiddenSize(), llmConfig.numHeads(), llmConfig.ffnDim());
                System.out.printf(Locale.ROOT, "parameters: trainable %.2f M, frozen %.2f M%n",
                        pformer.parameterCount() / 1e6, llm.parameterCount() / 1e6);
                System.out.printf(Locale.ROOT, "step time over %d steps: mean %.1f ms, median %.1f ms, p90 %.1f ms"
                        + " (%.0f sentences/s)%n", steps, mean * 1e3, times[times.length / 2] * 1e3,
                        times[(int) (times.length * 0.9)] * 1e3, batch / mean);
                System.out.printf(Locale.ROOT, "RSS: start %.0f MiB, after warm-up %.0f MiB, end %.0f MiB, peak %.0f MiB%n",
                        rssStart, rssAfterWarmup, ProcessMemory.rssMib(), ProcessMemory.peakRssMib());
                StepMetrics last = log.get(log.size() - 1);
                System.out.printf(Locale.ROOT, "last step losses: lm %.3f contrast %.3f vocab %.4f%n",
                        last.get("lm"), last.get("contrast"), last.get("vocab"));
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
