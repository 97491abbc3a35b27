package org.pformer.model.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads by role, from {@code /proc/self/task} (Linux): which threads besides the step's
 * own (the calling thread and libtorch's OpenMP workers) took the machine's cores while steps were timed — the JIT
 * compilers, the garbage collector, the rest of the JVM. On a 2-core machine whose two cores the step's two threads
 * fill, CPU taken by a compiler thread is time taken from the step.
 */
final class ThreadCpu {

    /** Thread id → (name, CPU ticks). */
    private final Map<Integer, Map.Entry<String, Long>> ticks;
    private final long nanos;
    private final int caller;

    private ThreadCpu(Map<Integer, Map.Entry<String, Long>> ticks, long nanos, int caller) {
        this.ticks = ticks;
        this.nanos = nanos;
        this.caller = caller;
    }

    /** A snapshot; the calling thread is the one that runs the steps. Empty where there is no /proc. */
    static ThreadCpu snapshot() {
        Map<Integer, Map.Entry<String, Long>> out = new TreeMap<>();
        int caller = -1;
        try {
            caller = Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        // "tid (comm) state ..." : comm may hold spaces and parentheses; fields after the last ')'
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime (fields 14, 15)
                        out.put(Integer.parseInt(task.getFileName().toString()), Map.entry(name, cpu));
                    } catch (IOException | RuntimeException e) {
                        // a thread that ended between the listing and the read
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return new ThreadCpu(Map.of(), System.nanoTime(), -1);
        }
        return new ThreadCpu(out, System.nanoTime(), caller);
    }

    /**
     * CPU seconds per role since {@code before}, and the wall seconds between: {@code step} (the calling thread and
     * threads sharing its name, i.e. the OpenMP workers it created), {@code jit}, {@code gc}, {@code other}.
     */
    Map<String, Double> since(ThreadCpu before) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String role : new String[] {"step", "jit", "gc", "other"}) {
            out.put(role, 0.0);
        }
        String callerName = ticks.containsKey(caller) ? ticks.get(caller).getKey() : null;
        double tick = 0.01; // USER_HZ: 100 on Linux
        ticks.forEach((tid, now) -> {
            long was = before.ticks.containsKey(tid) ? before.ticks.get(tid).getValue() : 0;
            String name = now.getKey();
            String role = tid == caller || name.equals(callerName) ? "step"
                    : name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? "jit"
                    : name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread") ? "gc"
                    : "other";
            out.merge(role, (now.getValue() - was) * tick, Double::sum);
        });
        out.put("wall", (nanos - before.nanos) / 1e9);
        return out;
    }

    static String format(Map<String, Double> cpu) {
        StringBuilder s = new StringBuilder();
        cpu.forEach((k, v) -> s.append(String.format(Locale.ROOT, " %s_s=%.2f", k, v)));
        return s.toString().trim();
    }
}
