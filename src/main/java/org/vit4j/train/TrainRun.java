package org.vit4j.train;

import ai.djl.Device;
import java.io.IOException;
import org.vit4j.InvalidOptionException;
import org.vit4j.io.IoErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.Variant;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.SinCosLayout;

/**
 * A training run ready to start: the policy that turns what a user asked for ({@link Request})
 * into a model, options and data, deciding between a new run, a run from a saved model's weights
 * ({@code --init}) and a resumed run ({@code --resume}). {@link #plan} reads the run's or the
 * model's files and the data and checks every number before any training; {@link #train} trains.
 *
 * <p>The rules: a new run takes its model from a variant or a config file (default {@code
 * fashion}) changed by the architecture settings, or, with {@code init}, from the saved model (then
 * the architecture settings are refused; only the stochastic depth may change); its number of
 * classes follows the data unless started from a saved model. A resumed run takes its model,
 * options and data from the run's {@code train.json} and checkpoint; settings given again must
 * repeat them, but for a raised number of epochs ({@link ResumableRun}). Unset options take the
 * defaults of {@link TrainOptions}, with two that follow the data and the model: the validation
 * images (a tenth of a small data set) and the scrambling grid (the model's patch grid).
 *
 * <p>Messages name the settings as the command line spells them ({@code --data}, {@code --init}):
 * an {@link IllegalArgumentException} is a request that cannot be run as asked, an {@link
 * IOException} a run, model or config file that cannot be read.
 */
public final class TrainRun {

    private final Request request;
    private final Path dir;
    private final ResumableRun from;
    private final String dataSpec;
    private final Path dataDir;
    private final ViTConfig config;
    private final Precision.Choice precision;
    private final TrainOptions options;
    private final Subset[] split;
    private List<String> skipped = List.of();

    private TrainRun(Request request, Path dir, ResumableRun from, String dataSpec, Path dataDir, ViTConfig config,
            Precision.Choice precision, TrainOptions options, Subset[] split) {
        this.request = request;
        this.dir = dir;
        this.from = from;
        this.dataSpec = dataSpec;
        this.dataDir = dataDir;
        this.config = config;
        this.precision = precision;
        this.options = options;
        this.split = split;
    }

    /**
     * What a user asks a training run for: every setting optional (null: the default, or the
     * resumed run's), named as on the command line.
     */
    public static final class Request {
        String data;
        Path dataDir;
        String config;
        String posEmb;
        SinCosLayout layout;
        PositionScaling positionScaling;
        Pooling pooling;
        Double dropPath;
        Path init;
        Path out;
        boolean resume;
        boolean force;
        Device device = Device.cpu();
        ForwardEngine engine;
        Precision precision;
        Integer epochs;
        Integer batchSize;
        Double lr;
        Double minLr;
        Double weightDecay;
        Double warmup;
        Double labelSmoothing;
        Double clipGrad;
        Long seed;
        Integer valSize;
        Double cropMinScale;
        Boolean hflip;
        Double scrambleProb;
        String scrambleGrid;
        Double randomErase;

        /**
         * The run directory: a new run's output, or the run to resume.
         *
         * @param dir the directory
         * @param resume whether to continue the run in it
         * @param force whether a new run may overwrite the run files of a non-empty directory
         * @return this
         */
        public Request setRun(Path dir, boolean resume, boolean force) {
            this.out = dir;
            this.resume = resume;
            this.force = force;
            return this;
        }

        /**
         * The data.
         *
         * @param data {@code fashion-mnist[:N]} or an image folder ({@link DataSets}); null when
         *     resuming: the run's
         * @param dataDir where the Fashion-MNIST files are, or null
         * @return this
         */
        public Request optData(String data, Path dataDir) {
            this.data = data;
            this.dataDir = dataDir;
            return this;
        }

        /**
         * The architecture: a variant name or a config file, and changes to it; each may be null.
         *
         * @param config a variant or a {@code config.json} (default {@code fashion})
         * @param posEmb the position embedding ({@code rope-mixed+learned})
         * @param layout the sin-cos layout
         * @param positionScaling the position scaling
         * @param pooling the pooling (and with it the class token)
         * @param dropPath the stochastic depth rate (may change beside {@code --init})
         * @return this
         */
        public Request optArchitecture(String config, String posEmb, SinCosLayout layout,
                PositionScaling positionScaling, Pooling pooling, Double dropPath) {
            this.config = config;
            this.posEmb = posEmb;
            this.layout = layout;
            this.positionScaling = positionScaling;
            this.pooling = pooling;
            this.dropPath = dropPath;
            return this;
        }

        /**
         * Starts from a saved model's weights (and architecture).
         *
         * @param modelDir the model directory, or null for a random initialization
         * @return this
         */
        public Request optInit(Path modelDir) {
            this.init = modelDir;
            return this;
        }

        /**
         * Where and how the forward and backward run.
         *
         * @param device the device
         * @param engine compiled or eager (null: compiled where the model compiles; resuming: the run's)
         * @param precision fp32, bf16 or auto (null: fp32; resuming: the run's; int8 is refused: inference only)
         * @return this
         */
        public Request optCompute(Device device, ForwardEngine engine, Precision precision) {
            this.device = device;
            this.engine = engine;
            this.precision = precision;
            return this;
        }

        /**
         * The schedule ({@link TrainOptions}); each may be null.
         *
         * @param epochs epochs
         * @param batchSize images per step
         * @param lr peak learning rate (a new run's minimum follows it below {@link TrainOptions#DEFAULT_MIN_LR})
         * @param minLr learning rate at the end of the cosine decay
         * @param warmup warm-up epochs
         * @param seed seed
         * @return this
         */
        public Request optSchedule(Integer epochs, Integer batchSize, Double lr, Double minLr, Double warmup,
                Long seed) {
            this.epochs = epochs;
            this.batchSize = batchSize;
            this.lr = lr;
            this.minLr = minLr;
            this.warmup = warmup;
            this.seed = seed;
            return this;
        }

        /**
         * The regularization ({@link TrainOptions}); each may be null.
         *
         * @param weightDecay weight decay
         * @param labelSmoothing label smoothing
         * @param clipGrad gradient clip
         * @param valSize validation images (default: {@link TrainOptions#defaultValSize})
         * @return this
         */
        public Request optRegularization(Double weightDecay, Double labelSmoothing, Double clipGrad,
                Integer valSize) {
            this.weightDecay = weightDecay;
            this.labelSmoothing = labelSmoothing;
            this.clipGrad = clipGrad;
            this.valSize = valSize;
            return this;
        }

        /**
         * The augmentation ({@link Augment}); each may be null.
         *
         * @param cropMinScale RandomResizedCrop minimum area
         * @param hflip random flips
         * @param scrambleProb scrambling probability
         * @param scrambleGrid scrambling grid (default: the run's, else the model's patch grid)
         * @param randomErase random erasing probability
         * @return this
         */
        public Request optAugmentation(Double cropMinScale, Boolean hflip, Double scrambleProb, String scrambleGrid,
                Double randomErase) {
            this.cropMinScale = cropMinScale;
            this.hflip = hflip;
            this.scrambleProb = scrambleProb;
            this.scrambleGrid = scrambleGrid;
            this.randomErase = randomErase;
            return this;
        }

        private boolean architectureGiven() {
            return config != null || posEmb != null || layout != null || positionScaling != null || pooling != null;
        }

        private String firstArchitectureSetting() {
            return config != null ? "--config" : posEmb != null ? "--pos-emb" : layout != null ? "--layout"
                    : positionScaling != null ? "--position-scaling" : "--pooling";
        }
    }

    /**
     * Plans a run: opens the run to resume (or checks the new run's directory), builds the model,
     * checks the options, opens the data and splits off the validation images.
     *
     * @param r the request
     * @return the run, ready to {@link #train}
     * @throws IllegalArgumentException if the request cannot be run as asked, naming the setting
     * @throws IOException if the run, the {@code --init} model or the config file cannot be read
     */
    public static TrainRun plan(Request r) throws IOException {
        Path dir = r.out;
        ResumableRun from = null;
        String dataSpec = r.data;
        Path dataDir = r.dataDir;
        ViTConfig cfg;
        if (r.resume) {
            if (r.force) {
                throw new IllegalArgumentException("--resume continues a run and --force replaces it: choose one");
            }
            try {
                from = ResumableRun.open(dir);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--resume " + e.getMessage(), e);
            } catch (IOException e) {
                throw new IOException("--resume " + dir + ": " + e.getMessage(), e);
            }
            if (dataSpec == null) {
                dataSpec = from.dataSource();
                dataDir = dataDir != null ? dataDir : from.dataDir();
            }
            if (dataSpec == null) {
                throw new IllegalArgumentException("--resume " + dir + ": its train.json does not name the data; give --data");
            }
            cfg = from.config();
            if ((r.architectureGiven() || r.dropPath != null) && r.init == null) {
                try {
                    from.requireModel(config(r).toBuilder().setNumClasses(cfg.architecture().numClasses()).build());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--resume " + dir + ": "
                            + (r.architectureGiven() ? r.firstArchitectureSetting() : "--drop-path") + " "
                            + e.getMessage() + "; drop it to continue the run", e);
                }
            }
        } else {
            if (dataSpec == null) {
                throw new IllegalArgumentException("missing --data fashion-mnist|DIR");
            }
            cfg = config(r);
            if (!r.force) {
                requireNewRun(dir);
            }
        }
        if (r.engine == ForwardEngine.COMPILED && !CompiledTrainStep.supports(cfg)) {
            throw new IllegalArgumentException("--engine compiled: " + CompiledTrainStep.unsupported(cfg));
        }
        Precision.Choice chosen = r.precision == null ? null : r.precision.resolve(r.device, CpuFeatures.current());
        options(r, from, cfg, Integer.MAX_VALUE, chosen); // validates every number before any data is read
        ImageDataset all;
        try {
            all = DataSets.open(dataSpec, dataDir, cfg.architecture().channels(), true);
        } catch (IOException e) {
            throw new IllegalArgumentException("--data " + dataSpec + ": " + IoErrors.describe(e), e);
        }
        if (all.labels().size() < 2) {
            throw new IllegalArgumentException("--data " + dataSpec + ": one class (" + String.join(", ", all.labels())
                    + "); a classifier learns to tell at least two apart: add a folder per class");
        }
        if (from == null && r.init == null && all.labels().size() != cfg.architecture().numClasses()) {
            cfg = cfg.toBuilder().setNumClasses(all.labels().size()).build();
        }
        TrainOptions opts = options(r, from, cfg, all.size(), chosen);
        if (opts.valSize() >= all.size()) {
            throw new IllegalArgumentException("--val-size " + opts.valSize() + ": must be below the data's "
                    + all.size() + " images");
        }
        return new TrainRun(r, dir, from, dataSpec, dataDir, cfg, chosen, opts,
                Subset.split(all, opts.valSize(), opts.seed()));
    }

    /** Refuses a non-empty directory, with advice that fits what is in it. */
    private static void requireNewRun(Path dir) throws IOException {
        RunDirectory run = RunDirectory.of(dir);
        try {
            run.requireEmpty();
        } catch (IllegalArgumentException e) {
            // --resume is offered only where it can work: a run with a checkpoint
            throw new IllegalArgumentException("--out " + e.getMessage() + (run.lastCheckpoint() != null
                    ? ": continue it with --resume, or overwrite it with --force"
                    : Files.exists(dir.resolve(RunDirectory.TRAIN_JSON))
                            ? ": its run saved no checkpoint, so it cannot be resumed; overwrite it with --force"
                            : ": choose a new directory, or overwrite it with --force"), e);
        }
    }

    /**
     * Trains the run: a new one from its start (or the {@code --init} weights), a resumed one
     * from its last checkpoint.
     *
     * @param listener progress callbacks
     * @return the trained model, its last validation and its provenance
     * @throws IOException if the {@code --init} model cannot be read ({@code --init DIR: ...}), or
     *     reading data or writing the run's files fails
     */
    public TrainResult train(TrainingListener listener) throws IOException {
        VitTrainer trainer = new VitTrainer(config, options, request.device, listener).optOverwrite(request.force)
                .optDataSource(dataSpec).optDataDir(dataDir);
        if (request.init != null) {
            try {
                trainer.optInit(request.init);
            } catch (IOException e) {
                throw new InitUnreadableException("--init " + e.getMessage(), e);
            }
        }
        try {
            return trainer.train(split[0], split[1], dir, from != null);
        } finally {
            skipped = trainer.skipped();
        }
    }

    /** The {@code --init} model could not be read or is not the model to train (the run had not started). */
    public static final class InitUnreadableException extends IOException {
        private static final long serialVersionUID = 1L;

        InitUnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @return the model to train */
    public ViTConfig config() {
        return config;
    }

    /** @return the options it trains with */
    public TrainOptions options() {
        return options;
    }

    /** @return the training images (the data less the validation images) */
    public ImageDataset trainImages() {
        return split[0];
    }

    /** @return the precision asked for and how it resolved, or null when not asked (the options' then) */
    public Precision.Choice precisionChoice() {
        return precision;
    }

    /** @return after {@link #train}: the images left out because they could not be read, {@code NAME: REASON} */
    public List<String> skipped() {
        return skipped;
    }

    /**
     * The run's options: the defaults (or, resuming, the run's own) with every setting of the
     * request applied, checked (resuming, by {@link ResumableRun#requireOptions(TrainOptions.Builder)}).
     */
    private static TrainOptions options(Request r, ResumableRun from, ViTConfig cfg, int dataSize,
            Precision.Choice chosen) {
        TrainOptions saved = from == null ? null : from.options();
        TrainOptions.Builder b = saved != null ? saved.toBuilder() : TrainOptions.builder();
        if (r.engine != null) {
            b.optEngine(r.engine);
        } else if (saved == null) {
            b.optEngine(CompiledTrainStep.supports(cfg) ? ForwardEngine.COMPILED : ForwardEngine.EAGER);
        }
        if (chosen != null) {
            b.optPrecision(chosen.precision());
        }
        set(r.epochs, b::optEpochs);
        set(r.batchSize, b::optBatchSize);
        set(r.lr, b::optLr);
        if (r.minLr != null) {
            b.optMinLr(r.minLr);
        } else if (saved == null && r.lr != null && r.lr < TrainOptions.DEFAULT_MIN_LR) {
            b.optMinLr(r.lr);
        }
        set(r.weightDecay, b::optWeightDecay);
        set(r.warmup, b::optWarmupEpochs);
        set(r.labelSmoothing, b::optLabelSmoothing);
        set(r.clipGrad, b::optClipGrad);
        set(r.seed, b::optSeed);
        if (r.valSize != null) {
            b.optValSize(r.valSize);
        } else if (saved == null) {
            b.optValSize(TrainOptions.defaultValSize(dataSize));
        }
        set(r.cropMinScale, b::optCropMinScale);
        set(r.hflip, b::optHflip);
        if (r.scrambleProb != null || r.scrambleGrid != null) {
            double p = r.scrambleProb != null ? r.scrambleProb : saved != null ? saved.scrambleProb() : 0;
            String grid = r.scrambleGrid != null ? r.scrambleGrid
                    : saved != null && saved.scrambleGrid() != null ? saved.scrambleGrid()
                    : p > 0 ? cfg.architecture().grid().shape() : null;
            b.optScramble(p, grid);
        }
        set(r.randomErase, b::optRandomErase);
        if (from == null) {
            return b.build();
        }
        try {
            return from.requireOptions(b);
        } catch (InvalidOptionException e) {
            throw e; // names its option, whose flag the command line knows
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--resume " + e.getMessage(), e);
        }
    }

    private static <T> void set(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    /** The model a new run asks for: the {@code --init} model's, or a variant or config file changed by the settings. */
    private static ViTConfig config(Request r) throws IOException {
        if (r.init != null) {
            if (r.architectureGiven()) {
                throw new IllegalArgumentException("--init takes the architecture from " + r.init
                        + "; drop " + r.firstArchitectureSetting());
            }
            ViTConfig saved;
            try {
                saved = ModelDirectory.readConfig(r.init);
            } catch (IOException e) {
                throw new IOException("--init " + r.init + ": " + e.getMessage(), e);
            }
            return r.dropPath == null ? saved : saved.toBuilder().optDropPath(r.dropPath).build();
        }
        ViTConfigBuilder b;
        String config = r.config == null ? "fashion" : r.config;
        Path file = Path.of(config);
        if (config.endsWith(".json") || Files.isRegularFile(file)) {
            try {
                b = ViTConfig.fromJson(Files.readString(file)).toBuilder();
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("--config " + config + ": " + e.getMessage(), e);
            }
        } else {
            try {
                b = Variant.fromName(config).toTrainingBuilder();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--config " + config + ": not a file, and not a variant; "
                        + validOnly(e), e);
            }
        }
        if (r.posEmb != null) {
            try {
                b.optPosEmb(r.posEmb);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--pos-emb " + r.posEmb + ": " + e.getMessage(), e);
            }
        }
        if (r.layout != null) {
            b.optPosEmbLayout(r.layout);
        }
        if (r.positionScaling != null) {
            b.optPositionScaling(r.positionScaling);
        }
        if (r.pooling != null) {
            b.optPooling(r.pooling).optClassToken(r.pooling == Pooling.CLS);
        }
        if (r.dropPath != null) {
            b.optDropPath(r.dropPath);
        }
        return b.build();
    }

    /** The list of valid names of a {@code fromName} message, from {@code valid}: on. */
    private static String validOnly(IllegalArgumentException e) {
        String m = e.getMessage();
        int at = m == null ? -1 : m.indexOf("valid: ");
        return at < 0 ? m : m.substring(at);
    }
}
