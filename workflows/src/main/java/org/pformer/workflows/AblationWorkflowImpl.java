package org.pformer.workflows;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pformer.activities.api.PipelineActivities;
import org.pformer.activities.api.TrackingRun;
import org.pformer.config.PipelineConfig;
import org.slf4j.Logger;

/**
 * Runs the grid in three waves per seed so that no shared stage is computed twice at the same time: first one
 * point (one that needs the P-Former, if any does) computes the foundation, ingestion and P-Former; then one point
 * per remaining omega1 computes its stage 1; then every other point runs in parallel and finds all of its upstream
 * stages in the cache.
 */
public class AblationWorkflowImpl implements AblationWorkflow {

    private static final Logger LOG = Workflow.getLogger(AblationWorkflowImpl.class);

    private final List<String> children = new ArrayList<>();

    @Override
    public AblationResult run(AblationRequest request) {
        String workflowId = Workflow.getInfo().getWorkflowId();
        PipelineActivities pipeline = Workflow.newActivityStub(PipelineActivities.class,
                io.temporal.activity.ActivityOptions.newBuilder()
                        .setTaskQueue(request.queues().pipeline())
                        .setStartToCloseTimeout(Duration.ofMinutes(10))
                        .build());
        PipelineConfig base = request.config();
        TrackingRun gridRun = new TrackingRun(base.name(), workflowId, null, base.name() + " ablation",
                Map.of("omega1", request.omega1().toString(), "omega2", request.omega2().toString(),
                        "seeds", request.seeds().toString(), "config_source", String.valueOf(request.configSource())),
                Map.of("pformer.workflow_id", workflowId, "pformer.kind", "ablation",
                        "pformer.config_hash", base.configHash(), "pformer.git_commit", request.gitCommit()));
        pipeline.startTrackingRun(gridRun);

        // grid order: seed, then omega1, then omega2
        List<PipelineConfig> points = new ArrayList<>();
        for (long seed : request.seeds()) {
            for (double w1 : request.omega1()) {
                for (double w2 : request.omega2()) {
                    points.add(base.withSeed(seed).withOmegas(w1, w2));
                }
            }
        }
        Map<PipelineConfig, PipelineResult> results = new LinkedHashMap<>();
        try {
            for (List<PipelineConfig> wave : waves(points)) {
                List<Promise<PipelineResult>> running = new ArrayList<>();
                for (PipelineConfig point : wave) {
                    running.add(start(request, workflowId, point));
                }
                for (int i = 0; i < wave.size(); i++) {
                    results.put(wave.get(i), running.get(i).get());
                }
            }
        } catch (RuntimeException e) {
            Workflow.newDetachedCancellationScope(() -> pipeline.endTrackingRun(gridRun, Map.of(), "FAILED")).run();
            throw e;
        }
        List<PipelineResult> rows = points.stream().map(results::get).toList();
        pipeline.endTrackingRun(gridRun, summary(rows), "FINISHED");
        return new AblationResult(workflowId, rows);
    }

    @Override
    public List<String> children() {
        return List.copyOf(children);
    }

    private Promise<PipelineResult> start(AblationRequest request, String parentId, PipelineConfig point) {
        String childId = parentId + "/" + pointId(point);
        children.add(childId);
        LOG.info("starting grid point {}", childId);
        PipelineWorkflow child = Workflow.newChildWorkflowStub(PipelineWorkflow.class, ChildWorkflowOptions.newBuilder()
                .setWorkflowId(childId)
                .setTaskQueue(request.queues().pipeline())
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                .setTypedSearchAttributes(io.temporal.common.SearchAttributes.newBuilder()
                        .set(SearchAttributes.CONFIG_HASH, point.configHash())
                        .set(SearchAttributes.OMEGA1, point.stage1().omega1())
                        .set(SearchAttributes.OMEGA2, point.stage2().omega2())
                        .set(SearchAttributes.RUN_NAME, PipelineWorkflowImpl.runName(point))
                        .build())
                .build());
        return Async.function(child::run, new PipelineRequest(point, request.configSource(), parentId, request.gitCommit(),
                request.queues()));
    }

    static String pointId(PipelineConfig c) {
        return "seed" + c.seed() + "-w1_" + PipelineWorkflowImpl.fmt(c.stage1().omega1()) + "-w2_"
                + PipelineWorkflowImpl.fmt(c.stage2().omega2());
    }

    /** Splits the grid into the three waves described on the class, across seeds at once. */
    static List<List<PipelineConfig>> waves(List<PipelineConfig> points) {
        Map<Long, List<PipelineConfig>> bySeed = new LinkedHashMap<>();
        for (PipelineConfig p : points) {
            bySeed.computeIfAbsent(p.seed(), s -> new ArrayList<>()).add(p);
        }
        List<PipelineConfig> first = new ArrayList<>();
        List<PipelineConfig> second = new ArrayList<>();
        List<PipelineConfig> rest = new ArrayList<>();
        for (List<PipelineConfig> seedPoints : bySeed.values()) {
            PipelineConfig lead = seedPoints.stream().filter(PipelineConfig::needsPFormer).findFirst().orElse(seedPoints.get(0));
            first.add(lead);
            Set<Double> covered = new LinkedHashSet<>(List.of(lead.stage1().omega1()));
            for (PipelineConfig p : seedPoints) {
                if (p == lead) {
                    continue;
                }
                if (covered.add(p.stage1().omega1())) {
                    second.add(p);
                } else {
                    rest.add(p);
                }
            }
        }
        List<List<PipelineConfig>> waves = new ArrayList<>();
        for (List<PipelineConfig> w : List.of(first, second, rest)) {
            if (!w.isEmpty()) {
                waves.add(w);
            }
        }
        return waves;
    }

    /** Per grid point, the mean over seeds of each metric, as {@code w1_<a>-w2_<b>/<metric>} (MLflow-safe names). */
    private static Map<String, Double> summary(List<PipelineResult> rows) {
        Map<String, double[]> sums = new TreeMap<>();
        for (PipelineResult r : rows) {
            String point = "w1_" + PipelineWorkflowImpl.fmt(r.omega1()) + "-w2_" + PipelineWorkflowImpl.fmt(r.omega2());
            r.metrics().forEach((k, v) -> {
                double[] s = sums.computeIfAbsent(point + "/" + k, x -> new double[2]);
                s[0] += v;
                s[1] += 1;
            });
        }
        Map<String, Double> out = new TreeMap<>();
        sums.forEach((k, s) -> out.put(k, s[0] / s[1]));
        return out;
    }
}
