package org.pformer.model.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident-set size of this process from {@code /proc/self/status} (Linux), in MiB. */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** Current RSS ({@code VmRSS}). */
    public static double rssMib() {
        return read("VmRSS:");
    }

    /** Peak RSS since process start ({@code VmHWM}). */
    public static double peakRssMib() {
        return read("VmHWM:");
    }

    private static double read(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
            throw new IllegalStateException("/proc/self/status has no " + key);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status (Linux only)", e);
        }
    }
}
