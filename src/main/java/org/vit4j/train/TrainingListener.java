package org.vit4j.train;

/** Progress callbacks of a training run (the CLI draws a progress bar from them). */
public interface TrainingListener {

    /**
     * After each step.
     *
     * @param epoch 0-based epoch
     * @param batch 1-based batch within the epoch
     * @param batches batches per epoch
     * @param loss running mean training loss of the epoch
     * @param imagesPerSecond training throughput of the epoch so far
     */
    default void onStep(int epoch, int batch, int batches, double loss, double imagesPerSecond) {}

    /**
     * Before each step: how long the step waited for its batch, i.e. how far the loader thread
     * (decoding, augmenting, resizing) was behind the model; 0 when the batch was ready.
     *
     * @param seconds the wait
     */
    default void onBatchWait(double seconds) {}

    /**
     * After each epoch's evaluation and checkpoint.
     *
     * @param metricsJson the line appended to {@code metrics.jsonl}
     */
    default void onEpoch(String metricsJson) {}

    /**
     * A log message.
     *
     * @param message text
     */
    default void log(String message) {}

    /**
     * An image that could not be read and was left out, once per run for each image (it is
     * left out of every epoch). By default logged.
     *
     * @param problem {@code NAME: REASON}
     */
    default void onSkipped(String problem) {
        log(problem);
    }
}
