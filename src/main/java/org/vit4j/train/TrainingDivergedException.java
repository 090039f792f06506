package org.vit4j.train;

/**
 * Training produced a non-finite loss or gradient. Thrown before the optimizer step that would
 * have written it into the weights, so neither the best model nor a checkpoint holds it.
 */
public final class TrainingDivergedException extends IllegalStateException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The epoch, from 1. */
    private final int epoch;
    /** The optimizer step, from 1. */
    private final long step;

    /**
     * Creates the exception.
     *
     * @param epoch the epoch, from 1
     * @param step the optimizer step, from 1
     * @param what what was not finite, e.g. {@code loss NaN}
     */
    public TrainingDivergedException(int epoch, long step, String what) {
        super("training diverged in epoch " + epoch + " at step " + step + " (" + what
                + "); nothing of this epoch was saved. Lower the learning rate, lengthen the warm-up"
                + " or clip gradients, then start again or resume from the last checkpoint");
        this.epoch = epoch;
        this.step = step;
    }

    /** @return the epoch, from 1 */
    public int epoch() {
        return epoch;
    }

    /** @return the optimizer step, from 1 */
    public long step() {
        return step;
    }
}
