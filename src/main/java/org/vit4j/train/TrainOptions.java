package org.vit4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.vit4j.patch.ShuffleGrid;

/**
 * How to train: schedule, regularization, augmentation and seed. Saved as {@code train.json}
 * next to the model so a run can be repeated or resumed.
 *
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param lr peak learning rate of AdamW
 * @param minLr learning rate at the end of the cosine decay
 * @param weightDecay decoupled weight decay of weight matrices
 * @param warmupEpochs epochs of linear warm-up (fractional allowed)
 * @param labelSmoothing ε of label smoothing (Szegedy et al. 2016)
 * @param clipGrad maximum global gradient norm; 0 disables clipping
 * @param seed seed of initialization, data order, augmentation and dropout
 * @param valSize training images held out for validation (selects the best checkpoint)
 * @param cropMinScale RandomResizedCrop minimum scale; 0 disables it
 * @param hflip random horizontal flips
 * @param scrambleProb probability of scrambling a training image
 * @param scrambleGrid shuffle grid of that scrambling, e.g. {@code 8x8}, or null
 * @param randomErase probability of random erasing a training image (see {@link Augment})
 */
public record TrainOptions(
        int epochs,
        int batchSize,
        double lr,
        double minLr,
        double weightDecay,
        double warmupEpochs,
        double labelSmoothing,
        double clipGrad,
        long seed,
        int valSize,
        double cropMinScale,
        boolean hflip,
        double scrambleProb,
        String scrambleGrid,
        double randomErase) {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /**
     * Validates the numbers.
     *
     * @param epochs see the record
     * @param batchSize see the record
     * @param lr see the record
     * @param minLr see the record
     * @param weightDecay see the record
     * @param warmupEpochs see the record
     * @param labelSmoothing see the record
     * @param clipGrad see the record
     * @param seed see the record
     * @param valSize see the record
     * @param cropMinScale see the record
     * @param hflip see the record
     * @param scrambleProb see the record
     * @param scrambleGrid see the record
     * @param randomErase see the record
     */
    public TrainOptions {
        check(epochs > 0, "epochs must be positive, got " + epochs);
        check(batchSize > 0, "batch size must be positive, got " + batchSize);
        check(lr > 0, "learning rate must be positive, got " + lr);
        check(minLr >= 0 && minLr <= lr, "min learning rate must be in [0, lr], got " + minLr);
        check(weightDecay >= 0, "weight decay must be >= 0, got " + weightDecay);
        check(warmupEpochs >= 0 && warmupEpochs <= epochs,
                "warm-up must be in [0, epochs], got " + warmupEpochs);
        check(labelSmoothing >= 0 && labelSmoothing < 1,
                "label smoothing must be in [0, 1), got " + labelSmoothing);
        check(clipGrad >= 0, "gradient clip must be >= 0, got " + clipGrad);
        check(valSize >= 0, "validation size must be >= 0, got " + valSize);
        augment(cropMinScale, hflip, scrambleProb, scrambleGrid, randomErase); // validates
    }

    /**
     * Options without random erasing.
     *
     * @param epochs see the record
     * @param batchSize see the record
     * @param lr see the record
     * @param minLr see the record
     * @param weightDecay see the record
     * @param warmupEpochs see the record
     * @param labelSmoothing see the record
     * @param clipGrad see the record
     * @param seed see the record
     * @param valSize see the record
     * @param cropMinScale see the record
     * @param hflip see the record
     * @param scrambleProb see the record
     * @param scrambleGrid see the record
     */
    public TrainOptions(int epochs, int batchSize, double lr, double minLr, double weightDecay,
            double warmupEpochs, double labelSmoothing, double clipGrad, long seed, int valSize,
            double cropMinScale, boolean hflip, double scrambleProb, String scrambleGrid) {
        this(epochs, batchSize, lr, minLr, weightDecay, warmupEpochs, labelSmoothing, clipGrad, seed, valSize,
                cropMinScale, hflip, scrambleProb, scrambleGrid, 0);
    }

    private static void check(boolean ok, String msg) {
        if (!ok) {
            throw new IllegalArgumentException(msg);
        }
    }

    private static Augment augment(double crop, boolean flip, double p, String grid, double erase) {
        return new Augment(crop, flip, p, grid == null ? null : ShuffleGrid.parse(grid), erase);
    }

    /** @return the augmentation these options describe */
    public Augment augment() {
        return augment(cropMinScale, hflip, scrambleProb, scrambleGrid, randomErase);
    }

    /**
     * Defaults that train the bundled Fashion-MNIST model: AdamW lr 1e-3, weight decay 0.05,
     * 3 warm-up epochs, label smoothing 0.1, clip 1.0, batch 128, 5000 validation images, crop
     * scale 0.8 and flips.
     *
     * @param epochs passes over the data
     * @return the options
     */
    public static TrainOptions defaults(int epochs) {
        return new TrainOptions(epochs, 128, 1e-3, 1e-5, 0.05, Math.min(3, epochs), 0.1, 1.0, 42,
                5000, 0.8, true, 0, null);
    }

    /** @return pretty JSON */
    public String toJson() {
        return GSON.toJson(this);
    }

    /**
     * Parses {@link #toJson()}.
     *
     * @param json text
     * @return the options
     */
    public static TrainOptions fromJson(String json) {
        return GSON.fromJson(json, TrainOptions.class);
    }
}
