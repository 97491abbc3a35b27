package org.pformer.model.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pformer.model.foundation.FoundationPresets;

class StepTimeBenchmarkTest {

    @Test
    void worldDefaultIsTheShippedWorldsTowers() {
        assertThat(StepTimeBenchmark.preset("world-default")).isEqualTo(FoundationPresets.worldTiny());
    }

    /** The reference script's SIZES["large"]: 4 heads, 256 wide, 4 layers, FFN 1024 (4 × width) for every tower. */
    @Test
    void largeTowersAreAllTwoHundredFiftySixWideAndFourDeep() {
        FoundationPresets.Preset p = StepTimeBenchmark.preset("large");
        assertThat(p.vision(64).hiddenSize()).isEqualTo(256);
        assertThat(p.vision(64).numLayers()).isEqualTo(4);
        assertThat(p.vision(64).intermediateSize()).isEqualTo(1024);
        assertThat(p.textTower(55).hiddenSize()).isEqualTo(256);
        assertThat(p.textTower(55).numLayers()).isEqualTo(4);
        assertThat(p.textTower(55).intermediateSize()).isEqualTo(1024);
        assertThat(p.llm(53).hiddenSize()).isEqualTo(256);
        assertThat(p.llm(53).numLayers()).isEqualTo(4);
        assertThat(p.llm(53).ffnDim()).isEqualTo(1024);
        assertThat(p.heads()).isEqualTo(4);
    }

    @Test
    void anUnknownSizeNamesTheKnownOnes() {
        assertThatThrownBy(() -> StepTimeBenchmark.preset("huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'huge'").hasMessageContaining("world-default").hasMessageContaining("large");
    }

    /** What run_bench.py's Served reads: READY first, one BLOCK answer per command, until END. */
    @Test
    void serveRunsOneBlockPerCommandAndStopsAtEnd() {
        List<Integer> asked = new ArrayList<>();
        String out = serve("BLOCK 3\n  BLOCK 1 \nEND\nBLOCK 7\n", n -> {
            asked.add(n);
            double[] ms = new double[n];
            java.util.Arrays.fill(ms, 2.5);
            return ms;
        });
        assertThat(asked).containsExactly(3, 1);
        String[] lines = out.split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("READY x=1");
        assertThat(lines[1]).startsWith("BLOCK steps=3 ms_per_step=").endsWith(" median_ms=2.500");
        assertThat(lines[2]).startsWith("BLOCK steps=1 ms_per_step=");
        double msPerStep = Double.parseDouble(lines[1].split(" ")[2].split("=")[1]);
        assertThat(msPerStep).isGreaterThanOrEqualTo(0);
    }

    @Test
    void serveNamesAMalformedCommand() {
        for (String bad : List.of("BLOCK\n", "BLOCK 0\n", "BLOCK -2\n", "BLOCK two\n", "RUN 3\n")) {
            assertThatThrownBy(() -> serve(bad, n -> new double[n]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected 'BLOCK <steps > 0>' or 'END'")
                    .hasMessageContaining("'" + bad.strip() + "'");
        }
    }

    @Test
    void serveWithoutAnyBlockIsAnError() {
        assertThatThrownBy(() -> serve("END\n", n -> new double[n]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before any 'BLOCK <steps>' line");
        assertThatThrownBy(() -> serve("", n -> new double[n])).isInstanceOf(IllegalStateException.class);
    }

    private static String serve(String input, java.util.function.IntFunction<double[]> block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StepTimeBenchmark.serve(new BufferedReader(new StringReader(input)),
                new PrintStream(bytes, true, StandardCharsets.UTF_8), "READY x=1", block);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
