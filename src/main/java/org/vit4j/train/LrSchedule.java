package org.vit4j.train;

/**
 * Linear warm-up from 0 to the peak learning rate, then cosine decay to {@code minLr}
 * (Loshchilov &amp; Hutter 2017, without restarts), as a pure function of the step, so a resumed
 * run follows exactly the same schedule.
 *
 * @param peakLr learning rate at the end of warm-up
 * @param minLr learning rate at the last step
 * @param warmupSteps steps of linear warm-up
 * @param totalSteps all steps of the run
 */
public record LrSchedule(double peakLr, double minLr, long warmupSteps, long totalSteps) {

    /**
     * Validates the numbers.
     *
     * @param peakLr see the record
     * @param minLr see the record
     * @param warmupSteps see the record
     * @param totalSteps see the record
     */
    public LrSchedule {
        if (!(peakLr > 0) || minLr < 0 || minLr > peakLr) {
            throw new IllegalArgumentException(
                    "learning rates must satisfy 0 <= minLr <= peakLr and peakLr > 0, got peak "
                            + peakLr + " min " + minLr);
        }
        if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(
                    "need 0 <= warmupSteps <= totalSteps and totalSteps > 0, got warmup "
                            + warmupSteps + " total " + totalSteps);
        }
    }

    /**
     * The learning rate of a step.
     *
     * @param step 0-based optimizer step
     * @return {@code peak·(step+1)/warmup} during warm-up, then {@code min + (peak-min)·(1+cos(π·t))/2}
     *     with {@code t} going from 0 to 1 over the remaining steps
     */
    public double at(long step) {
        if (step < warmupSteps) {
            return peakLr * (step + 1) / warmupSteps;
        }
        long decay = totalSteps - warmupSteps;
        double t = decay <= 1 ? 1.0 : Math.min(1.0, (double) (step - warmupSteps) / (decay - 1));
        return minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
}
