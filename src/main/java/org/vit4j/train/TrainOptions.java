package org.vit4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.vit4j.InvalidOptionException;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
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
 * @param engine what computes the forward and backward: {@link ForwardEngine#COMPILED} ({@link
 *     CompiledTrainStep}) or {@link ForwardEngine#EAGER} (the DJL blocks); absent
 *     in files written before the compiled step, which means eager
 * @param precision {@link Precision#FP32} or {@link Precision#BF16} (compiled only: bfloat16 matrix
 *     products, float32 weights and AdamW state); absent in older files, which means fp32
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
        double randomErase,
        ForwardEngine engine,
        Precision precision) {

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
     * @param engine see the record
     * @param precision see the record
     * @throws InvalidOptionException naming the first refused option by its name here, its value
     *     and the reason, e.g. {@code lr -1.0: must be a number above 0}
     */
    public TrainOptions {
        engine = engine == null ? ForwardEngine.EAGER : engine;
        precision = precision == null ? Precision.FP32 : precision;
        check(epochs > 0, "epochs", epochs, AT_LEAST_1);
        check(batchSize > 0, "batchSize", batchSize, AT_LEAST_1);
        check(lr > 0 && Double.isFinite(lr), "lr", lr, ABOVE_0);
        check(minLr >= 0 && Double.isFinite(minLr), "minLr", minLr, AT_LEAST_0);
        check(minLr <= lr, "minLr", minLr, "must be at most the peak learning rate, " + lr);
        check(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, AT_LEAST_0);
        check(warmupEpochs >= 0 && Double.isFinite(warmupEpochs), "warmupEpochs", warmupEpochs, AT_LEAST_0);
        check(warmupEpochs <= epochs, "warmupEpochs", warmupEpochs, "must be at most the number of epochs, " + epochs);
        check(labelSmoothing >= 0 && labelSmoothing < 1, "labelSmoothing", labelSmoothing, "must be at least 0 and below 1");
        check(clipGrad >= 0 && Double.isFinite(clipGrad), "clipGrad", clipGrad, AT_LEAST_0 + " (0: off)");
        check(valSize >= 0, "valSize", valSize, "must be at least 0");
        check(cropMinScale >= 0 && cropMinScale <= 1, "cropMinScale", cropMinScale, FROM_0_TO_1 + " (0: off)");
        check(scrambleProb >= 0 && scrambleProb <= 1, "scrambleProb", scrambleProb, FROM_0_TO_1);
        check(randomErase >= 0 && randomErase <= 1, "randomErase", randomErase, FROM_0_TO_1);
        try {
            augment(cropMinScale, hflip, scrambleProb, scrambleGrid, randomErase); // the grid
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("scrambleGrid", scrambleGrid, e.getMessage());
        }
        check(precision != Precision.AUTO, "precision", "auto", "must be resolved to fp32 or bf16 first");
        check(precision != Precision.INT8, "precision", "int8", INT8_INFERENCE_ONLY);
        check(precision == Precision.FP32 || engine == ForwardEngine.COMPILED, "precision", precision.cliName(),
                "needs the compiled engine; the " + engine.cliName() + " engine was chosen");
    }

    /** Why training refuses int8 (the CLI's {@code train} and {@code bench --train} say the same). */
    public static final String INT8_INFERENCE_ONLY = "inference only; training runs in fp32 or bf16";

    private static final String AT_LEAST_1 = "must be at least 1";
    private static final String ABOVE_0 = "must be a number above 0";
    private static final String AT_LEAST_0 = "must be a number of at least 0";
    private static final String FROM_0_TO_1 = "must be a number from 0 to 1";

    /** Refuses an option by its name in this record, with its value and why. */
    private static void check(boolean ok, String option, Object value, String reason) {
        if (!ok) {
            throw new InvalidOptionException(option, value, reason);
        }
    }

    private static Augment augment(double crop, boolean flip, double p, String grid, double erase) {
        return new Augment(crop, flip, p, grid == null ? null : ShuffleGrid.parse(grid), erase);
    }

    /** @return the augmentation these options describe */
    public Augment augment() {
        return augment(cropMinScale, hflip, scrambleProb, scrambleGrid, randomErase);
    }

    /** Default of {@link #epochs()}. */
    public static final int DEFAULT_EPOCHS = 20;
    /** Default of {@link #batchSize()}. */
    public static final int DEFAULT_BATCH_SIZE = 128;
    /** Default of {@link #lr()}. */
    public static final double DEFAULT_LR = 1e-3;
    /** Default of {@link #minLr()}. */
    public static final double DEFAULT_MIN_LR = 1e-5;
    /** Default of {@link #weightDecay()}. */
    public static final double DEFAULT_WEIGHT_DECAY = 0.05;
    /** Default of {@link #warmupEpochs()}, capped at a tenth of the epochs. */
    public static final double DEFAULT_WARMUP_EPOCHS = 2;
    /** Default of {@link #labelSmoothing()}. */
    public static final double DEFAULT_LABEL_SMOOTHING = 0.1;
    /** Default of {@link #clipGrad()}. */
    public static final double DEFAULT_CLIP_GRAD = 1.0;
    /** Default of {@link #seed()}. */
    public static final long DEFAULT_SEED = 42;
    /** Default of {@link #valSize()}, capped at a tenth of the data set. */
    public static final int DEFAULT_VAL_SIZE = 5000;
    /** Default of {@link #cropMinScale()}. */
    public static final double DEFAULT_CROP_MIN_SCALE = 0.8;

    /**
     * A builder with the defaults that train the bundled Fashion-MNIST model.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.lr = lr;
        b.minLr = minLr;
        b.weightDecay = weightDecay;
        b.warmupEpochs = warmupEpochs;
        b.labelSmoothing = labelSmoothing;
        b.clipGrad = clipGrad;
        b.seed = seed;
        b.valSize = valSize;
        b.cropMinScale = cropMinScale;
        b.hflip = hflip;
        b.scrambleProb = scrambleProb;
        b.scrambleGrid = scrambleGrid;
        b.randomErase = randomErase;
        b.engine = engine;
        b.precision = precision;
        return b;
    }

    /**
     * The default validation size for a data set: {@link #DEFAULT_VAL_SIZE}, at most a tenth of it.
     *
     * @param dataSize images in the data set
     * @return the hold-out size
     */
    public static int defaultValSize(int dataSize) {
        return Math.min(DEFAULT_VAL_SIZE, dataSize / 10);
    }

    /**
     * The default warm-up for a run: {@link #DEFAULT_WARMUP_EPOCHS}, at most a tenth of it.
     *
     * @param epochs epochs of the run
     * @return warm-up epochs
     */
    public static double defaultWarmup(int epochs) {
        return Math.min(DEFAULT_WARMUP_EPOCHS, epochs / 10.0);
    }

    /**
     * The names (as in {@code train.json}) of the options that differ between two runs.
     *
     * @param other other options
     * @return field names with both values, e.g. {@code lr: 0.001 vs 0.002}; empty if equal
     */
    public java.util.List<String> differences(TrainOptions other) {
        return differences(GSON.toJsonTree(other).getAsJsonObject());
    }

    /**
     * The options that differ between these and a builder's, before the builder's are checked, so
     * that a combination {@link Builder#build()} refuses still shows as the values that differ.
     *
     * @param other a builder
     * @return field names with both values, as {@link #differences(TrainOptions)} gives them
     */
    public java.util.List<String> differences(Builder other) {
        return differences(GSON.toJsonTree(other).getAsJsonObject());
    }

    private java.util.List<String> differences(com.google.gson.JsonObject b) {
        com.google.gson.JsonObject a = GSON.toJsonTree(this).getAsJsonObject();
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String key : a.keySet()) {
            if (!java.util.Objects.equals(a.get(key), b.get(key))) {
                out.add(key + ": " + a.get(key) + " vs " + b.get(key));
            }
        }
        return out;
    }

    /**
     * Builds {@link TrainOptions}; every option has a default, and {@link #build()} validates.
     */
    public static final class Builder {
        private int epochs = DEFAULT_EPOCHS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private double lr = DEFAULT_LR;
        private double minLr = DEFAULT_MIN_LR;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;
        private Double warmupEpochs;
        private double labelSmoothing = DEFAULT_LABEL_SMOOTHING;
        private double clipGrad = DEFAULT_CLIP_GRAD;
        private long seed = DEFAULT_SEED;
        private int valSize = DEFAULT_VAL_SIZE;
        private double cropMinScale = DEFAULT_CROP_MIN_SCALE;
        private boolean hflip = true;
        private double scrambleProb;
        private String scrambleGrid;
        private double randomErase;
        private ForwardEngine engine = ForwardEngine.COMPILED;
        private Precision precision = Precision.FP32;

        private Builder() {}

        /**
         * Sets the number of epochs.
         *
         * @param epochs passes over the data; default {@value TrainOptions#DEFAULT_EPOCHS}
         * @return this builder
         */
        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /**
         * Sets the batch size.
         *
         * @param batchSize images per step; default {@value TrainOptions#DEFAULT_BATCH_SIZE}
         * @return this builder
         */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets the peak learning rate.
         *
         * @param lr AdamW learning rate after warm-up; default {@value TrainOptions#DEFAULT_LR}
         * @return this builder
         */
        public Builder optLr(double lr) {
            this.lr = lr;
            return this;
        }

        /**
         * Sets the final learning rate of the cosine decay.
         *
         * @param minLr learning rate at the last step; default {@value TrainOptions#DEFAULT_MIN_LR}
         * @return this builder
         */
        public Builder optMinLr(double minLr) {
            this.minLr = minLr;
            return this;
        }

        /**
         * Sets the decoupled weight decay.
         *
         * @param weightDecay λ of AdamW; default {@value TrainOptions#DEFAULT_WEIGHT_DECAY}
         * @return this builder
         */
        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * Sets the linear warm-up.
         *
         * @param warmupEpochs epochs, fractional allowed; default {@link #defaultWarmup} of the epochs
         * @return this builder
         */
        public Builder optWarmupEpochs(double warmupEpochs) {
            this.warmupEpochs = warmupEpochs;
            return this;
        }

        /**
         * Sets label smoothing.
         *
         * @param labelSmoothing ε in [0, 1); default {@value TrainOptions#DEFAULT_LABEL_SMOOTHING}
         * @return this builder
         */
        public Builder optLabelSmoothing(double labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            return this;
        }

        /**
         * Sets global-norm gradient clipping.
         *
         * @param clipGrad maximum norm, 0 for none; default {@value TrainOptions#DEFAULT_CLIP_GRAD}
         * @return this builder
         */
        public Builder optClipGrad(double clipGrad) {
            this.clipGrad = clipGrad;
            return this;
        }

        /**
         * Sets the seed.
         *
         * @param seed seed of initialization, data order, augmentation and dropout; default
         *     {@value TrainOptions#DEFAULT_SEED}
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the validation hold-out.
         *
         * @param valSize training images held out; default {@value TrainOptions#DEFAULT_VAL_SIZE}
         *     (the CLI caps its default with {@link #defaultValSize})
         * @return this builder
         */
        public Builder optValSize(int valSize) {
            this.valSize = valSize;
            return this;
        }

        /**
         * Sets RandomResizedCrop.
         *
         * @param cropMinScale minimum area, 0 for no cropping; default
         *     {@value TrainOptions#DEFAULT_CROP_MIN_SCALE}
         * @return this builder
         */
        public Builder optCropMinScale(double cropMinScale) {
            this.cropMinScale = cropMinScale;
            return this;
        }

        /**
         * Sets random horizontal flips.
         *
         * @param hflip whether to flip; default true
         * @return this builder
         */
        public Builder optHflip(boolean hflip) {
            this.hflip = hflip;
            return this;
        }

        /**
         * Sets scramble augmentation.
         *
         * @param scrambleProb probability of scrambling a training image; default 0
         * @param scrambleGrid its shuffle grid such as {@code 4x4}, or null when the probability is 0
         * @return this builder
         */
        public Builder optScramble(double scrambleProb, String scrambleGrid) {
            this.scrambleProb = scrambleProb;
            this.scrambleGrid = scrambleGrid;
            return this;
        }

        /**
         * Sets random erasing.
         *
         * @param randomErase probability of erasing a rectangle of a training image; default 0
         * @return this builder
         */
        public Builder optRandomErase(double randomErase) {
            this.randomErase = randomErase;
            return this;
        }

        /**
         * Sets what computes the forward and backward.
         *
         * @param engine {@code COMPILED} (default) or {@code EAGER}
         * @return this builder
         */
        public Builder optEngine(ForwardEngine engine) {
            this.engine = engine;
            return this;
        }

        /**
         * Sets the number format of the compiled step's matrix products.
         *
         * @param precision {@code FP32} (default) or {@code BF16} (with the compiled engine)
         * @return this builder
         */
        public Builder optPrecision(Precision precision) {
            this.precision = precision;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the options
         * @throws InvalidOptionException naming the first bad option, its value and the reason
         */
        public TrainOptions build() {
            double warmup = warmupEpochs != null ? warmupEpochs : defaultWarmup(Math.max(epochs, 0));
            return new TrainOptions(epochs, batchSize, lr, minLr, weightDecay, warmup, labelSmoothing,
                    clipGrad, seed, valSize, cropMinScale, hflip, scrambleProb, scrambleGrid, randomErase, engine,
                    precision);
        }
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
