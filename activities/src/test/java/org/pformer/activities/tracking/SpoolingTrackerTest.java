package org.pformer.activities.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spool behaviour with the tracking server unreachable (a port nothing listens on): nothing blocks, nothing is lost. */
class SpoolingTrackerTest {

    @TempDir
    Path spoolRoot;

    private static String unreachableServer() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort(); // closed again: connections are refused
        }
    }

    private static RunKey run() {
        return new RunKey("exp", "wf-1/stage1", "stage1", null, Map.of("stage", "stage1"));
    }

    @Test
    void callsReturnWhileTheServerIsDownAndEverythingIsSpooled() throws Exception {
        SpoolingTracker tracker = new SpoolingTracker(unreachableServer(), spoolRoot, (ref, uri) -> { });
        tracker.startRun(run());
        tracker.logParams(run(), Map.of("omega1", "10.0"));
        for (int step = 1; step <= 100; step++) {
            tracker.logMetrics(run(), List.of(new MetricPoint("loss", 1.0 / step, step, 1000L + step)));
        }
        tracker.endRun(run(), "FINISHED");

        assertThat(tracker.drain(Duration.ofMillis(300))).isFalse();
        assertThat(tracker.undelivered()).isEqualTo(103);
        tracker.close();
        // a clean close with the server down keeps the spool for the next process
        assertThat(spoolFiles()).anyMatch(p -> p.getFileName().toString().startsWith("events-"));
    }

    @Test
    void aLaterProcessAdoptsTheSpoolOfAKilledOneInOrder() throws Exception {
        String server = unreachableServer();
        SpoolingTracker first = new SpoolingTracker(server, spoolRoot, (ref, uri) -> { });
        for (int step = 1; step <= 10; step++) {
            first.logMetrics(run(), List.of(new MetricPoint("loss", step, step, step)));
        }
        first.abandon(); // as kill -9: no flush, no cleanup

        SpoolingTracker second = new SpoolingTracker(server, spoolRoot, (ref, uri) -> { });
        try {
            assertThat(second.undelivered()).isEqualTo(10);
            second.logMetrics(run(), List.of(new MetricPoint("loss", 11, 11, 11)));
            assertThat(second.undelivered()).isEqualTo(11);
        } finally {
            second.abandon();
        }
    }

    @Test
    void aTornLastRecordOfAKilledProcessIsIgnored() throws Exception {
        String server = unreachableServer();
        SpoolingTracker first = new SpoolingTracker(server, spoolRoot, (ref, uri) -> { });
        first.logMetrics(run(), List.of(new MetricPoint("loss", 1, 1, 1)));
        first.logMetrics(run(), List.of(new MetricPoint("loss", 2, 2, 2)));
        first.abandon();
        Path segment = spoolFiles().stream().filter(p -> p.getFileName().toString().startsWith("events-")).findFirst().orElseThrow();
        Files.writeString(segment, "{\"seq\":3,\"type\":\"MET", java.nio.file.StandardOpenOption.APPEND);

        SpoolingTracker second = new SpoolingTracker(server, spoolRoot, (ref, uri) -> { });
        try {
            assertThat(second.undelivered()).isEqualTo(2);
        } finally {
            second.abandon();
        }
    }

    @Test
    void invalidStatusIsRejectedAtTheCallNotInTheFlusher() throws Exception {
        SpoolingTracker tracker = new SpoolingTracker(unreachableServer(), spoolRoot, (ref, uri) -> { });
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> tracker.endRun(run(), "DONE"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(tracker.undelivered()).isZero();
        } finally {
            tracker.abandon();
        }
    }

    private List<Path> spoolFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(spoolRoot)) {
            s.filter(Files::isRegularFile).forEach(out::add);
        }
        return out;
    }
}
