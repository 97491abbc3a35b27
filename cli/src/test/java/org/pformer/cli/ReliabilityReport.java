package org.pformer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reliability suite's table: one row per fault or bad input, with what happened, how long the pipeline took to
 * recover from it and whether every assertion of the row held. A row's body asserts; the table only reports.
 */
final class ReliabilityReport {

    /** What a row's body reports: the outcome in words and the seconds from the fault to recovery (null: n/a). */
    record Outcome(String text, Double recoverySeconds) {
        static Outcome of(String text) {
            return new Outcome(text, null);
        }
    }

    @FunctionalInterface
    interface Body {
        Outcome run() throws Exception;
    }

    private record Row(String name, String outcome, Double recoverySeconds, boolean pass) {}

    private final List<Row> rows = new ArrayList<>();

    /** Runs a row: its assertions decide the pass column, and a failure is rethrown after it is recorded. */
    void row(String name, Body body) throws Exception {
        long t0 = System.nanoTime();
        try {
            Outcome o = body.run();
            rows.add(new Row(name, o.text(), o.recoverySeconds(), true));
            System.out.printf("[reliability] PASS %s: %s (%.1f s)%n", name, o.text(), (System.nanoTime() - t0) / 1e9);
        } catch (Exception | AssertionError e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            rows.add(new Row(name, e.getClass().getSimpleName() + ": " + msg, null, false));
            System.out.printf("[reliability] FAIL %s: %s%n", name, msg);
            throw e;
        }
    }

    /** The table in Markdown. */
    String render(String header) {
        StringBuilder sb = new StringBuilder(header).append("\n\n");
        sb.append("| fault / input | outcome | time to recover | pass |\n|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(cell(r.name())).append(" | ").append(cell(r.outcome())).append(" | ")
                    .append(r.recoverySeconds() == null ? "–" : String.format(Locale.ROOT, "%.1f s", r.recoverySeconds()))
                    .append(" | ").append(r.pass() ? "PASS" : "FAIL").append(" |\n");
        }
        long passed = rows.stream().filter(Row::pass).count();
        sb.append("\n").append(passed).append(" of ").append(rows.size()).append(" rows pass\n");
        return sb.toString();
    }

    void write(Path file, String header) throws IOException {
        String table = render(header);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, table);
        System.out.println(table);
    }

    private static String cell(String s) {
        String one = s.replace('\n', ' ').replace("|", "\\|");
        return one.length() > 220 ? one.substring(0, 217) + "..." : one;
    }
}
