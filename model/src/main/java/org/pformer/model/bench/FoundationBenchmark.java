package org.pformer.model.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.pformer.model.data.ImageTextBatch;
import org.pformer.model.foundation.ClipConfig;
import org.pformer.model.foundation.ClipVisionTraining;
import org.pformer.model.foundation.FoundationPresets;
import org.pformer.model.foundation.LlmTraining;
import org.pformer.model.foundation.LmLineSource;
import org.pformer.model.foundation.RunOptions;
import org.pformer.model.foundation.TrainingPlan;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.train.AdamW;
import org.pformer.model.train.LrSchedule;
import org.pformer.model.train.StepMetrics;
import org.pformer.model.train.TokenBatch;
import org.pformer.model.train.TrainingListener;

/**
 * Trains both foundation models of a preset on the {@link SyntheticShapes} miniature world and reports wall time
 * and the before/after metrics (held-out image→text R@1, held-out perplexity): how long the world's foundation
 * stage takes at a preset's size on this machine.
 *
 * <pre>
 * java -cp … org.pformer.model.bench.FoundationBenchmark [--preset world-tiny] [--image-size 64] [--world full|tiny]
 *     [--vision-steps 600] [--llm-steps 600] [--batch 64] [--lr 1e-3] [--warmup 50] [--out DIR]
 * </pre>
 */
public final class FoundationBenchmark {

    private FoundationBenchmark() {}

    public static void main(String[] args) throws IOException {
        FoundationPresets.Preset preset = FoundationPresets.byName(option(args, "--preset", "world-tiny"));
        int imageSize = Integer.parseInt(option(args, "--image-size", "64"));
        String worldName = option(args, "--world", "full");
        long visionSteps = Long.parseLong(option(args, "--vision-steps", "600"));
        long llmSteps = Long.parseLong(option(args, "--llm-steps", "600"));
        int batch = Integer.parseInt(option(args, "--batch", "64"));
        double lr = Double.parseDouble(option(args, "--lr", "1e-3"));
        int warmup = Integer.parseInt(option(args, "--warmup", "50"));
        Path out = Path.of(option(args, "--out", Files.createTempDirectory("foundation-bench").toString()));

        Engine.getEngine("PyTorch"); // loads the native library before its thread count is read
        SyntheticShapes world = new SyntheticShapes(worldName.equals("tiny") ? SyntheticShapes.Spec.tiny(imageSize)
                : SyntheticShapes.Spec.full(imageSize));
        System.out.printf(Locale.ROOT, "preset=%s image=%dpx world=%s threads=%d batch=%d out=%s%n", preset.name(),
                imageSize, worldName, JniUtils.getNumThreads(), batch, out);

        ClipConfig clip = preset.clip(imageSize, world.textVocabSize());
        List<ImageTextBatch> heldOutPairs = world.heldOutPairs(1_000_001, 500, 100);
        long started = System.nanoTime();
        double cpuStarted = cpuSeconds();
        ClipVisionTraining.Result vision = ClipVisionTraining.train(clip, plan(visionSteps, batch, lr, warmup),
                world.pairs(1), heldOutPairs, RunOptions.of(out, null, null), progress("vision"), () -> false);
        double visionSeconds = (System.nanoTime() - started) / 1e9;
        double visionCpu = cpuSeconds() - cpuStarted;
        System.out.printf(Locale.ROOT, "vision: %d steps in %.1f s wall, %.1f s CPU; held-out i2t R@1 %.3f -> %.3f (chance %.3f),"
                + " t2i R@1 %.3f -> %.3f; %s%n", vision.step(), visionSeconds, visionCpu, vision.before().imageToTextR1(),
                vision.after().imageToTextR1(), vision.after().imageToTextChanceR1(), vision.before().textToImageR1(),
                vision.after().textToImageR1(), vision.vit());

        OptConfig llm = preset.llm(world.llmVocabSize());
        List<long[]> lines = world.lmLines(7, 20_000);
        List<TokenBatch> heldOutLines = LmLineSource.batches(world.lmLines(1_000_007, 500), 100, llm.vocabSize(),
                llm.padTokenId(), llm.maxPositions());
        started = System.nanoTime();
        cpuStarted = cpuSeconds();
        LlmTraining.Result lm = LlmTraining.train(llm, plan(llmSteps, batch, lr, warmup),
                new LmLineSource(lines, llm.vocabSize(), llm.padTokenId(), llm.maxPositions(), 7), heldOutLines,
                RunOptions.of(out, null, null), progress("llm"), () -> false);
        double llmSeconds = (System.nanoTime() - started) / 1e9;
        double llmCpu = cpuSeconds() - cpuStarted;
        System.out.printf(Locale.ROOT, "llm: %d steps in %.1f s wall, %.1f s CPU; held-out perplexity %.2f -> %.2f;"
                + " %s%n", lm.step(), llmSeconds, llmCpu, lm.before().perplexity(), lm.after().perplexity(), lm.llm());
        System.out.printf(Locale.ROOT, "total %.1f s wall, %.1f s CPU (1-2 cores shared with other work make wall"
                + " time longer than CPU time); peak RSS %.0f MiB%n", visionSeconds + llmSeconds, visionCpu + llmCpu,
                ProcessMemory.peakRssMib());
    }

    /** CPU time of this process (all threads, including the JVM's own). */
    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static TrainingPlan plan(long steps, int batch, double lr, int warmup) {
        return new TrainingPlan(1, steps, batch, 1, new LrSchedule(lr, lr / 10, lr / 100, warmup, steps),
                AdamW.Hyper.DEFAULT, 1.0, 0);
    }

    private static TrainingListener progress(String name) {
        return new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() % 50 == 0) {
                    System.out.printf(Locale.ROOT, "  %s step %d: loss %.4f (%.0f ms/step wall, %.1f s CPU so far)%n",
                            name, m.step(), m.get("loss"), m.get("step_time_s") * 1e3, cpuSeconds());
                }
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
