package org.pformer.cli;

import java.util.Map;
import java.util.stream.Collectors;
import org.pformer.activities.api.StageProgress;
import org.pformer.workflows.PipelineStatus;

/** Text rendering of a pipeline's stages with a progress bar for each running one. */
final class Progress {

    private static final int BAR = 24;

    private Progress() {}

    static String render(String runId, String runState, PipelineStatus status, Map<org.pformer.config.StageName, StageProgress> running,
                         Map<org.pformer.config.StageName, String> retrying, long now) {
        StringBuilder sb = new StringBuilder();
        sb.append(runId).append("  ").append(status == null ? runState : status.state()).append('\n');
        if (status == null) {
            return sb.toString();
        }
        for (PipelineStatus.Stage s : status.stages()) {
            sb.append(String.format("  %-15s %-9s", s.stage().id(), s.state()));
            StageProgress p = running.get(s.stage());
            if (p != null && ("RUNNING".equals(s.state()) || "PAUSED".equals(s.state()))) {
                sb.append(' ').append(bar(p.step(), p.totalSteps()));
                if (!p.latest().isEmpty()) {
                    sb.append("  ").append(p.latest().entrySet().stream().limit(4)
                            .map(e -> e.getKey() + "=" + format(e.getValue())).collect(Collectors.joining(" ")));
                }
                long eta = p.etaMillis(now);
                if (eta >= 0) {
                    sb.append("  ETA ").append(duration(eta));
                }
            } else if (s.finishedAt() > 0 && s.startedAt() > 0) {
                sb.append(' ').append(duration(s.finishedAt() - s.startedAt()));
            }
            if (s.message() != null && !"RUNNING".equals(s.state())) {
                sb.append("  ").append(s.message());
            }
            String retry = retrying.get(s.stage());
            if (retry != null) {
                sb.append("  (").append(retry).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String bar(long step, long total) {
        if (total <= 0) {
            return String.format("[%s] step %d", "?".repeat(BAR), step);
        }
        double f = Math.max(0, Math.min(1, (double) step / total));
        int filled = (int) Math.round(f * BAR);
        return String.format("[%s%s] %3d%% %d/%d", "#".repeat(filled), "-".repeat(BAR - filled), Math.round(f * 100), step, total);
    }

    static String format(double v) {
        return Math.abs(v) >= 100 || v == Math.rint(v) ? String.format("%.1f", v) : String.format("%.4g", v);
    }

    static String duration(long millis) {
        long s = Math.max(0, millis / 1000);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format("%02ds", s % 60);
        }
        return (s / 3600) + "h" + String.format("%02dm", (s % 3600) / 60);
    }
}
