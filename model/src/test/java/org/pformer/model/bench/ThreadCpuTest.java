package org.pformer.model.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    /**
     * Spins until this thread has used {@code millis} of CPU time (not wall time: on a loaded CI machine a
     * wall-time spin can get half a core, and the CPU it is charged would then be half of what the test asks).
     */
    private static void spin(long millis) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long end = threads.getCurrentThreadCpuTime() + millis * 1_000_000;
        double x = 0;
        while (threads.getCurrentThreadCpuTime() < end) {
            x += Math.sqrt(x + 1);
        }
        if (x < 0) {
            throw new AssertionError();
        }
    }

    /** CPU is charged by thread role: the calling thread is the step's, a "GC Thread…" the collector's. */
    @Test
    void cpuIsChargedToTheRoleOfTheThreadThatSpentIt() throws Exception {
        java.util.concurrent.CountDownLatch spun = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
        Thread gc = new Thread(() -> {
            spin(300);
            spun.countDown();
            try {
                measured.await(); // alive until measured: an ended thread leaves /proc/self/task
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "GC Thread#test");
        ThreadCpu before = ThreadCpu.snapshot();
        gc.start();
        spin(300);
        spun.await();
        Map<String, Double> cpu = ThreadCpu.snapshot().since(before);
        measured.countDown();
        gc.join();
        assertThat(cpu).containsKeys("step", "jit", "gc", "other", "wall");
        assertThat(cpu.get("step")).as("the calling thread spun 0.3 s").isGreaterThan(0.15);
        assertThat(cpu.get("gc")).as("the thread named like a GC thread spun 0.3 s").isGreaterThan(0.15);
        assertThat(cpu.get("wall")).isGreaterThanOrEqualTo(0.3);
        assertThat(ThreadCpu.format(cpu)).startsWith("step_s=").contains(" gc_s=").contains(" wall_s=");
    }

    @Test
    void theLargeSizeOfTheAlignmentBenchmarkIsTheStepTimeBenchmarksLargeTowers() {
        AlignmentOverheadBenchmark.Size large = AlignmentOverheadBenchmark.Size.byName("large");
        assertThat(large.backbones()).isEqualTo(StepTimeBenchmark.preset(StepTimeBenchmark.LARGE));
        assertThat(large.batch()).isEqualTo(AlignmentOverheadBenchmark.Size.byName("world-default").batch());
    }
}
