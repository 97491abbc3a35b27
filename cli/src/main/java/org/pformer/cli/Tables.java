package org.pformer.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.pformer.workflows.PipelineResult;

/** Metric tables of finished pipelines: one row per (omega1, omega2, seed). */
final class Tables {

    private Tables() {}

    static String grid(List<PipelineResult> rows) {
        TreeSet<String> metrics = new TreeSet<>();
        rows.forEach(r -> metrics.addAll(r.metrics().keySet()));
        List<String> header = new ArrayList<>(List.of("omega1", "omega2", "seed"));
        header.addAll(metrics);
        TextTable table = new TextTable(header);
        for (PipelineResult r : rows) {
            List<String> cells = new ArrayList<>(List.of(Progress.format(r.omega1()), Progress.format(r.omega2()),
                    Long.toString(r.seed())));
            for (String m : metrics) {
                Double v = r.metrics().get(m);
                cells.add(v == null ? "-" : String.format("%.4f", v));
            }
            table.row(cells);
        }
        return table.render();
    }
}
