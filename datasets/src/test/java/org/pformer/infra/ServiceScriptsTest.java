package org.pformer.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up wait of {@code infra/local/lib.sh} ({@code wait_until}), run in bash against a private state
 * directory: a daemon counts as starting while its process lives, even before its command line names the state
 * directory (the window between the fork of {@code start_daemon} and the exec of the daemon, in which
 * {@code is_running} rightly says no), and a daemon that died fails the wait with its log named.
 */
class ServiceScriptsTest {

    @TempDir
    Path tmp;

    private record Outcome(int exit, String output) {}

    private Outcome bash(String script) throws IOException, InterruptedException {
        Path lib = Path.of("..", "infra", "local", "lib.sh").toAbsolutePath().normalize();
        assertThat(lib).as("infra/local/lib.sh from the datasets module").isRegularFile();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -eu; source \"$LIB\"; " + script)
                .redirectErrorStream(true);
        pb.environment().put("LIB", lib.toString());
        pb.environment().put("PFORMER_STATE", tmp.resolve("state").toString());
        pb.environment().put("PFORMER_CACHE", tmp.resolve("cache").toString());
        Process p = pb.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError("bash did not finish within 60 s: " + out);
        }
        return new Outcome(p.exitValue(), out);
    }

    @Test
    void aDaemonThatHasNotExecYetIsWaitedForNotDeclaredDead() throws Exception {
        // "sleep 30" stands for the forked shell before exec: alive, but its command line lacks the state directory
        Outcome o = bash("""
                sleep 30 & echo $! > "$(pidfile fake)"
                ( sleep 1; touch "$PFORMER_STATE/healthy" ) &
                is_running fake && echo "is_running said yes" || echo "is_running said no"
                wait_until fake 20 test -f "$PFORMER_STATE/healthy"
                echo "healthy"
                kill "$(cat "$(pidfile fake)")"
                """);
        assertThat(o.output()).contains("is_running said no").contains("healthy").doesNotContain("error");
        assertThat(o.exit()).isZero();
    }

    @Test
    void aDaemonThatDiedFailsTheWaitNamingItsLog() throws Exception {
        Outcome o = bash("""
                echo "port 7233 already in use" > "$PFORMER_STATE/logs/fake.log"
                true & dead=$!; wait "$dead"
                echo "$dead" > "$(pidfile fake)"
                wait_until fake 20 false
                echo "not reached"
                """);
        assertThat(o.exit()).isNotZero();
        assertThat(o.output()).contains("fake exited during start-up")
                .contains(tmp.resolve("state").resolve("logs").resolve("fake.log").toString())
                .contains("port 7233 already in use").doesNotContain("not reached");
    }

    @Test
    void aDaemonThatNeverBecomesHealthyTimesOut() throws Exception {
        Outcome o = bash("""
                sleep 30 & echo $! > "$(pidfile fake)"
                trap 'kill $(cat "$(pidfile fake)")' EXIT
                wait_until fake 2 false
                """);
        assertThat(o.exit()).isNotZero();
        assertThat(o.output()).contains("fake did not become healthy within 2s");
        assertThat(Files.exists(tmp.resolve("state"))).isTrue();
    }
}
