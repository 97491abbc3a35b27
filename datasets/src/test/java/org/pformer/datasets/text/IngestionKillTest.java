package org.pformer.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.Fixtures;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.LocalTextSources;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;

/**
 * A real crash: ingestion runs in a separate JVM that is killed with SIGKILL after it committed a few shards (no
 * shutdown hook, no flush), then the same command resumes in this JVM. The finished directory must equal an
 * uninterrupted run's byte for byte.
 */
class IngestionKillTest {

    @Test
    void killedMidRunResumesToTheSameBytes(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        IngestionFixture.corpus(in, 2, 800);
        Path pJson = Fixtures.path("fixture_pformer_tokenizer.json");
        Path lJson = Fixtures.path("fixture_llm_tokenizer.json");
        IngestOptions o = IngestOptions.defaults().withShardSize(50);
        Path out = tmp.resolve("out");

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path")));
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null) {
            cmd.add("-Dlogback.configurationFile=" + logback);
        }
        cmd.addAll(List.of(IngestSentences.class.getName(), "--input", in.toString(), "--pformer-tokenizer",
                pJson.toString(), "--llm-tokenizer", lJson.toString(), "--out", out.toString(), "--shard-size", "50",
                "--tokenize-batch", "8", "--threads", "1"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path state = out.resolve(SentenceIngestion.STATE_FILE);
        int committed = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (committed < 3 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
            if (Files.exists(state)) {
                try {
                    committed = Json.MAPPER.readTree(state.toFile()).get("shards").size();
                } catch (java.io.IOException e) {
                    // replaced while we read it; look again
                }
            }
        }
        child.destroyForcibly().waitFor();
        assertThat(committed).as("child log: %s", Files.readString(tmp.resolve("child.log"))).isGreaterThanOrEqualTo(3);
        assertThat(out.resolve(ShardManifest.FILE)).as("killed before it finished").doesNotExist();

        try (PFormerTokenizer p = PFormerTokenizer.load(pJson, 32); LlmTokenizer l = LlmTokenizer.load(lJson, 32)) {
            IngestResult resumed = new SentenceIngestion(o, p, l).run(LocalTextSources.list(in), out);
            assertThat(resumed.resumed()).isTrue();
            new SentenceIngestion(o, p, l).run(LocalTextSources.list(in), tmp.resolve("reference"));
        }
        assertThat(IngestionFixture.contents(out)).usingRecursiveComparison()
                .isEqualTo(IngestionFixture.contents(tmp.resolve("reference")));
    }
}
