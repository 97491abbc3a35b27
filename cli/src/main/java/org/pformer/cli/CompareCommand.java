package org.pformer.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare the finished pipelines of an experiment by (omega1, omega2): a table of each metric's mean "
                + "± standard deviation over seeds, and a PNG with one bar chart per metric."})
final class CompareCommand implements Callable<Integer> {

    private static final int CHART_WIDTH = 420;
    private static final int CHART_HEIGHT = 300;

    @Option(names = "--experiment", required = true, description = "MLflow experiment (the configuration's name)")
    String experiment;

    @Option(names = "--ablation", description = "only the pipelines of this ablation grid (its workflow id, as `ablate` "
            + "printed it); default: every finished pipeline of the experiment")
    String ablation;

    @Option(names = "--metrics", defaultValue = ".*", description = "regular expression selecting metrics (default: all)")
    String metrics;

    @Option(names = "--plot", description = "PNG to write (default: compare-<experiment>.png)")
    Path plot;

    /** One grid point's values of one metric over seeds. */
    record Cell(double mean, double std, int n) {
        static Cell of(List<Double> values) {
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double var = values.size() < 2 ? 0 : values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / (values.size() - 1);
            return new Cell(mean, Math.sqrt(var), values.size());
        }
    }

    @Override
    public Integer call() throws Exception {
        ServiceEnv env = ServiceEnv.fromEnvironment();
        Pattern selected = Pattern.compile(metrics);
        if (ablation != null && (ablation.contains("'") || ablation.contains("\"") || ablation.isBlank())) {
            throw new UserError(ExitCodes.BAD_INPUT, "--ablation takes a workflow id as `pformer ablate` printed it, "
                    + "without quotes; got " + ablation);
        }
        // (omega1, omega2) -> metric -> values over seeds
        Map<String, Map<String, List<Double>>> grid = new TreeMap<>(CompareCommand::byOmegas);
        try (MlflowClient mlflow = new MlflowClient(env.mlflowUri())) {
            String expId = mlflow.getExperimentByName(experiment).map(Service.Experiment::getExperimentId)
                    .orElseThrow(() -> new UserError(ExitCodes.BAD_INPUT, "no MLflow experiment named '" + experiment
                            + "' at " + env.mlflowUri() + "; experiments are named after the configuration's 'name'"));
            String filter = "tags.`pformer.kind` = 'pipeline' and attributes.status = 'FINISHED'"
                    + (ablation == null ? "" : " and tags.`pformer.ablation` = '" + ablation + "'");
            for (Service.RunInfo info : mlflow.searchRuns(List.of(expId), filter)) {
                Service.Run run = mlflow.getRun(info.getRunId());
                Map<String, String> tags = new TreeMap<>();
                run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
                String point = "ω1=" + Progress.format(Double.parseDouble(tags.getOrDefault("omega1", "NaN")))
                        + " ω2=" + Progress.format(Double.parseDouble(tags.getOrDefault("omega2", "NaN")));
                for (Service.Metric m : run.getData().getMetricsList()) {
                    if (selected.matcher(m.getKey()).matches()) {
                        grid.computeIfAbsent(point, p -> new TreeMap<>())
                                .computeIfAbsent(m.getKey(), k -> new ArrayList<>()).add(m.getValue());
                    }
                }
            }
        } catch (MlflowClientException e) {
            throw new UserError(ExitCodes.SERVICE_UNAVAILABLE, "cannot read MLflow at " + env.mlflowUri() + ": " + e.getMessage()
                    + "; start the services with `pformer services up`");
        }
        if (grid.isEmpty()) {
            System.out.println("no finished pipelines in experiment '" + experiment + "'"
                    + (ablation == null ? "" : " from ablation " + ablation) + " (metrics matching " + metrics + ")");
            return ExitCodes.OK;
        }
        TreeSet<String> names = new TreeSet<>();
        grid.values().forEach(m -> names.addAll(m.keySet()));
        List<String> header = new ArrayList<>(List.of("grid point", "seeds"));
        header.addAll(names);
        TextTable table = new TextTable(header);
        Map<String, Map<String, Cell>> cells = new TreeMap<>(CompareCommand::byOmegas);
        grid.forEach((point, byMetric) -> {
            Map<String, Cell> row = new TreeMap<>();
            byMetric.forEach((metric, values) -> row.put(metric, Cell.of(values)));
            cells.put(point, row);
            List<String> line = new ArrayList<>(List.of(point,
                    Integer.toString(row.values().stream().mapToInt(Cell::n).max().orElse(0))));
            for (String n : names) {
                Cell c = row.get(n);
                line.add(c == null ? "-" : c.n() > 1 ? String.format("%.4f ± %.4f", c.mean(), c.std()) : String.format("%.4f", c.mean()));
            }
            table.row(line);
        });
        System.out.print(table.render());
        Path out = plot != null ? plot : Path.of("compare-" + experiment + ".png");
        writePlot(out, names, cells);
        System.out.println("plot: " + out.toAbsolutePath());
        return ExitCodes.OK;
    }

    /** Grid points sort by omega1, then omega2, numerically. */
    static int byOmegas(String a, String b) {
        double[] x = omegas(a);
        double[] y = omegas(b);
        int c = Double.compare(x[0], y[0]);
        return c != 0 ? c : Double.compare(x[1], y[1]);
    }

    private static double[] omegas(String point) {
        String[] parts = point.replace("ω1=", "").replace("ω2=", "").split(" ");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    }

    static void writePlot(Path out, TreeSet<String> names, Map<String, Map<String, Cell>> cells) throws Exception {
        List<Chart<?, ?>> charts = new ArrayList<>();
        List<String> points = new ArrayList<>(cells.keySet());
        for (String metric : names) {
            CategoryChart chart = new CategoryChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT).title(metric)
                    .xAxisTitle("grid point").yAxisTitle("").build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setXAxisLabelRotation(20);
            List<Double> means = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            for (String p : points) {
                Cell c = cells.get(p).get(metric);
                means.add(c == null ? 0.0 : c.mean());
                errors.add(c == null ? 0.0 : c.std());
            }
            chart.addSeries(metric, points, means, errors);
            charts.add(chart);
        }
        // one PNG, the charts in a grid of up to three columns (the last row may be partly empty)
        int cols = Math.min(3, charts.size());
        int rows = (charts.size() + cols - 1) / cols;
        BufferedImage grid = new BufferedImage(cols * CHART_WIDTH, rows * CHART_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % cols) * CHART_WIDTH,
                        (i / cols) * CHART_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(grid, "png", out.toFile())) {
            throw new IOException("no PNG writer available to write " + out);
        }
    }
}
