package org.pformer.cli;

import com.google.protobuf.Timestamp;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of one finished workflow went, read from its history's server timestamps: every activity's
 * scheduled, started and completed times (started → completed is the activity's own run, scheduled → started the
 * wait for a worker to take it), the workflow tasks (the worker running workflow code between activities, local
 * activities included), and the local activities recorded as markers.
 */
record WorkflowTimeline(long started, long completed, List<Activity> activities, List<Task> workflowTasks,
        List<String> localActivities) {

    /** One (non-local) activity execution, times in epoch milliseconds. */
    record Activity(String type, long scheduled, long started, long completed) {

        double queueSeconds() {
            return (started - scheduled) / 1e3;
        }

        double runSeconds() {
            return (completed - started) / 1e3;
        }

        double totalSeconds() {
            return (completed - scheduled) / 1e3;
        }
    }

    /** One workflow task: scheduled, started (a worker polled it) and completed. */
    record Task(long scheduled, long started, long completed) {}

    static WorkflowTimeline of(List<HistoryEvent> events) {
        long started = -1;
        long completed = -1;
        Map<Long, HistoryEvent> scheduled = new HashMap<>();
        Map<Long, Long> startedAt = new HashMap<>();
        List<Activity> activities = new ArrayList<>();
        List<Task> tasks = new ArrayList<>();
        List<String> local = new ArrayList<>();
        long taskScheduled = -1;
        long taskStarted = -1;
        for (HistoryEvent e : events) {
            long t = millis(e.getEventTime());
            EventType type = e.getEventType();
            switch (type) {
                case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> started = t;
                case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED -> completed = t;
                case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> scheduled.put(e.getEventId(), e);
                case EVENT_TYPE_ACTIVITY_TASK_STARTED ->
                        startedAt.put(e.getActivityTaskStartedEventAttributes().getScheduledEventId(), t);
                case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> {
                    long id = e.getActivityTaskCompletedEventAttributes().getScheduledEventId();
                    HistoryEvent s = scheduled.get(id);
                    activities.add(new Activity(s.getActivityTaskScheduledEventAttributes().getActivityType().getName(),
                            millis(s.getEventTime()), startedAt.getOrDefault(id, millis(s.getEventTime())), t));
                }
                case EVENT_TYPE_WORKFLOW_TASK_SCHEDULED -> taskScheduled = t;
                case EVENT_TYPE_WORKFLOW_TASK_STARTED -> taskStarted = t;
                case EVENT_TYPE_WORKFLOW_TASK_COMPLETED -> tasks.add(new Task(taskScheduled, taskStarted, t));
                case EVENT_TYPE_MARKER_RECORDED -> {
                    if (e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity")) {
                        local.add(e.getMarkerRecordedEventAttributes().getDetailsOrThrow("type").getPayloads(0)
                                .getData().toStringUtf8().replace("\"", ""));
                    }
                }
                default -> { }
            }
        }
        if (started < 0 || completed < 0) {
            throw new IllegalArgumentException("the history holds no completed workflow execution");
        }
        return new WorkflowTimeline(started, completed, activities, tasks, local);
    }

    /** The first completed activity of {@code type}. */
    Activity activity(String type) {
        return activities.stream().filter(a -> a.type().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no completed activity " + type + " in the history"));
    }

    /** Seconds in activities of the given types (scheduled → completed) that were scheduled within [from, to). */
    double activitySeconds(List<String> types, long from, long to) {
        return activities.stream().filter(a -> types.contains(a.type()) && a.scheduled() >= from && a.scheduled() < to)
                .mapToDouble(Activity::totalSeconds).sum();
    }

    /** Seconds in workflow tasks (scheduled → completed) that completed within (from, to]. */
    double workflowTaskSeconds(long from, long to) {
        return workflowTasks.stream().filter(w -> w.completed() > from && w.completed() <= to)
                .mapToDouble(w -> (w.completed() - w.scheduled()) / 1e3).sum();
    }

    /** Workflow tasks that completed within (from, to]. */
    long workflowTaskCount(long from, long to) {
        return workflowTasks.stream().filter(w -> w.completed() > from && w.completed() <= to).count();
    }

    double seconds() {
        return (completed - started) / 1e3;
    }

    private static long millis(Timestamp t) {
        return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
    }
}
