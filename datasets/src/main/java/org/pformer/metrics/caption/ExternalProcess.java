package org.pformer.metrics.caption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs one of the evaluator's Java programs with its stderr kept in a file for error messages. */
final class ExternalProcess {
    private static final int STDERR_TAIL = 2000;

    private ExternalProcess() {
    }

    static Process start(List<String> command, Path workingDirectory, Path stderr) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile());
        pb.redirectError(stderr.toFile());
        return pb.start();
    }

    /** The last characters of a captured stderr, for an error message. */
    static String tail(Path stderr) {
        try {
            String s = Files.readString(stderr, StandardCharsets.UTF_8);
            return s.length() <= STDERR_TAIL ? s.strip() : "..." + s.substring(s.length() - STDERR_TAIL).strip();
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }
}
