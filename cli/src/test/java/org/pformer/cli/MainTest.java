package org.pformer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract: help, exit codes, and errors that say what to do. */
class MainTest {

    static final Path REPO = Path.of(System.getProperty("pformer.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(Main.execute("--help")).isZero();
        for (String cmd : List.of("run", "ablate", "status", "pause", "resume", "cancel", "compare", "worker", "services", "config")) {
            assertThat(stdout()).contains(cmd);
        }
        assertThat(stdout()).contains("Exit codes");
    }

    @Test
    void anInvalidConfigurationIsBadInputWithTheKeyNamed() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "name: x\nstage1: {omega1: -1}\n");
        assertThat(Main.execute("run", "--config", bad.toString())).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(stderr()).contains("error: invalid pipeline configuration " + bad)
                .contains("stage1.omega1: expected a number >= 0");
        assertThat(Main.execute("ablate", "--config", tmp.resolve("missing.yaml").toString())).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(stderr()).contains("no such file");
    }

    @Test
    void unknownOptionsAndVerbsAreBadInput() {
        assertThat(Main.execute("run", "--config", "x.yaml", "--bogus")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(stderr()).contains("Unknown option: '--bogus'");
        assertThat(Main.execute("run")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(stderr()).contains("Missing required option: '--config=<config>'");
        assertThat(Main.execute("services", "explode")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(stderr()).contains("unknown verb 'explode'");
        assertThat(Main.execute("worker", "--queues", "tpu")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(stderr()).contains("unknown queue 'tpu'");
    }

    @Test
    void configCheckPrintsTheStageHashes() {
        assertThat(Main.execute("config", "check", REPO.resolve("infra/config/world-default.yaml").toString())).isZero();
        assertThat(stdout()).contains("valid").contains("stage1").contains("eval-retrieval");
        assertThat(Main.execute("config", "show", REPO.resolve("infra/config/world-tiny.yaml").toString())).isZero();
        assertThat(stdout()).contains("omega1: 10.0");
    }

    @Test
    void progressBarsAndDurationsRender() {
        assertThat(Progress.bar(50, 200)).isEqualTo("[######------------------]  25% 50/200");
        assertThat(Progress.bar(3, 0)).startsWith("[????");
        assertThat(Progress.duration(59_000)).isEqualTo("59s");
        assertThat(Progress.duration(61_000)).isEqualTo("1m01s");
        assertThat(Progress.duration(3_720_000)).isEqualTo("1h02m");
    }

    @Test
    void compareAggregatesSeedsAndPlots() throws Exception {
        assertThat(CompareCommand.Cell.of(List.of(1.0, 3.0))).isEqualTo(new CompareCommand.Cell(2.0, Math.sqrt(2), 2));
        Map<String, Map<String, CompareCommand.Cell>> cells = new TreeMap<>(CompareCommand::byOmegas);
        cells.put("ω1=10 ω2=0", Map.of("vqa/accuracy", new CompareCommand.Cell(0.5, 0.1, 3)));
        cells.put("ω1=0 ω2=100", Map.of("vqa/accuracy", new CompareCommand.Cell(0.4, 0.05, 3)));
        cells.put("ω1=0 ω2=0", Map.of("vqa/accuracy", new CompareCommand.Cell(0.3, 0.0, 3)));
        assertThat(cells.keySet()).containsExactly("ω1=0 ω2=0", "ω1=0 ω2=100", "ω1=10 ω2=0");
        Path png = tmp.resolve("grid.png");
        CompareCommand.writePlot(png, new TreeSet<>(List.of("vqa/accuracy")), cells);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertThat(head).containsExactly(0x89, 'P', 'N', 'G');

        // a metric count that does not fill the last row of the three-column grid (7 metrics: 3 + 3 + 1)
        TreeSet<String> seven = new TreeSet<>();
        Map<String, Map<String, CompareCommand.Cell>> wide = new TreeMap<>(CompareCommand::byOmegas);
        for (int i = 0; i < 7; i++) {
            seven.add("m" + i);
        }
        for (String point : cells.keySet()) {
            Map<String, CompareCommand.Cell> row = new TreeMap<>();
            seven.forEach(m -> row.put(m, new CompareCommand.Cell(0.1, 0, 1)));
            wide.put(point, row);
        }
        Path sevenPng = tmp.resolve("sub/seven.png");
        CompareCommand.writePlot(sevenPng, seven, wide);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(sevenPng.toFile());
        assertThat(image.getWidth()).isEqualTo(3 * 420);
        assertThat(image.getHeight()).isEqualTo(3 * 300);
    }
}
