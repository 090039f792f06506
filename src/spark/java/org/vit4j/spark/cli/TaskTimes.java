package org.vit4j.spark.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Spark's own cost per task, from the scheduler's events: the time from a task's launch to its
 * end minus the time it ran our code (scheduling, shipping and deserializing the task, sending the
 * result back). Medians over the successful tasks of a job.
 */
final class TaskTimes extends SparkListener {

    private final List<Long> overheadMs = new ArrayList<>();
    private final List<Long> runMs = new ArrayList<>();

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo().successful() && end.taskMetrics() != null) {
            long run = end.taskMetrics().executorRunTime();
            runMs.add(run);
            overheadMs.add(Math.max(0, end.taskInfo().duration() - run));
        }
    }

    /** @return e.g. {@code 200 tasks, median 180 ms run + 9 ms Spark} */
    synchronized String summary() {
        return overheadMs.size() + " tasks, median " + median(runMs) + " ms run + " + median(overheadMs) + " ms Spark";
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
