package org.vit4j.spark;

import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskEndReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Cancels a stage at its first task that could not load the model: Spark would otherwise retry
 * the task up to {@code spark.task.maxFailures} times, each failing the same way. The first model
 * error is kept for the job's message ({@link #firstError}).
 */
public final class ModelFailureListener extends SparkListener {

    private static final Map<SparkContext, ModelFailureListener> REGISTERED = new WeakHashMap<>();

    private final SparkContext sc;
    private volatile String firstError;

    private ModelFailureListener(SparkContext sc) {
        this.sc = sc;
    }

    /**
     * The listener of a Spark context, registered on first use.
     *
     * @param sc the context
     * @return its listener
     */
    public static synchronized ModelFailureListener register(SparkContext sc) {
        return REGISTERED.computeIfAbsent(sc, c -> {
            ModelFailureListener l = new ModelFailureListener(c);
            c.addSparkListener(l);
            return l;
        });
    }

    /** @return the first model error seen in this context, or {@code null} */
    public String firstError() {
        return firstError;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        TaskEndReason reason = end.reason();
        if (reason instanceof ExceptionFailure f && ModelUnavailableException.class.getName().equals(f.className())) {
            if (firstError == null) {
                firstError = f.description();
            }
            sc.cancelStage(end.stageId(), f.description());
        }
    }
}
