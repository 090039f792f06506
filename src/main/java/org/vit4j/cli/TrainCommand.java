package org.vit4j.cli;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.vit4j.InvalidOptionException;
import org.vit4j.io.IoErrors;
import org.vit4j.train.CompiledTrainStep;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.Variant;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.SinCosLayout;
import org.vit4j.train.ImageDataset;
import org.vit4j.train.ResumableRun;
import org.vit4j.train.RunDirectory;
import org.vit4j.train.Subset;
import org.vit4j.train.TrainOptions;
import org.vit4j.train.TrainResult;
import org.vit4j.train.TrainingListener;
import org.vit4j.train.VitTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j train}: train a model on Fashion-MNIST or an image folder. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a ViT; writes the best model, checkpoints and metrics.jsonl to --out.")
final class TrainCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    /** The options that set the architecture: refused beside {@code --init}, which brings its own. */
    private static final List<String> ARCHITECTURE =
            List.of("--config", "--pos-emb", "--layout", "--position-scaling", "--pooling");
    /** What {@code --resume} checks against the run's model: the architecture and the stochastic depth. */
    private static final List<String> RESUME_CHECKED = Stream.concat(
            ARCHITECTURE.stream(), Stream.of("--drop-path")).toList();

    @Option(names = "--data", paramLabel = "fashion-mnist[:N]|DIR",
            description = "Fashion-MNIST (training split; :N = its first N images) or an image folder; required unless --resume.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the Fashion-MNIST IDX files are.")
    Path dataDir;

    @Option(names = "--config", paramLabel = "VARIANT|FILE.json", completionCandidates = Converters.VariantNames.class,
            description = "A variant (${COMPLETION-CANDIDATES}; average pooling, no class token) or a config.json (default: fashion).")
    String config;

    @Option(names = "--pos-emb", paramLabel = "KIND", completionCandidates = Converters.PositionKindNames.class,
            description = "${COMPLETION-CANDIDATES}, or a rotary and an absolute kind joined by + (rope-mixed+learned) (default: learned, or the config file's).")
    String posEmb;

    @Option(names = "--layout", paramLabel = "LAYOUT", completionCandidates = Converters.LayoutNames.class,
            converter = Converters.LayoutName.class, description = "Sin-cos layout: ${COMPLETION-CANDIDATES} (default: split).")
    SinCosLayout layout;

    @Option(names = "--position-scaling", paramLabel = "extrapolate|interpolate", converter = Converters.ScalingName.class,
            description = "Saved with the model: where its sin-cos and rotary tables put the patches of another image size,"
                    + " at that grid's integer coordinates (extrapolate) or scaled into the trained grid's range (interpolate,"
                    + " timm's ref_feat_shape); training itself is the same (default: extrapolate, or the config file's).")
    PositionScaling positionScaling;

    @Option(names = "--pooling", paramLabel = "POOLING", completionCandidates = Converters.PoolingNames.class,
            converter = Converters.PoolingName.class,
            description = "Pooling: ${COMPLETION-CANDIDATES} (default: avg for variants, or the config file's).")
    Pooling pooling;

    @Option(names = "--epochs", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Passes over the training data (default: " + TrainOptions.DEFAULT_EPOCHS + "); with --resume, may raise the run's.")
    Integer epochs;
    @Option(names = "--batch-size", paramLabel = "B", converter = Converters.PositiveInt.class, description = "Images per step (default: " + TrainOptions.DEFAULT_BATCH_SIZE + ").")
    Integer batchSize;
    @Option(names = "--lr", paramLabel = "LR", converter = Converters.FiniteDouble.class, description = "Peak learning rate of AdamW (default: " + TrainOptions.DEFAULT_LR + ").")
    Double lr;
    @Option(names = "--min-lr", paramLabel = "LR", converter = Converters.FiniteDouble.class, description = "Learning rate at the end of the cosine decay (default: " + TrainOptions.DEFAULT_MIN_LR + ").")
    Double minLr;
    @Option(names = "--weight-decay", paramLabel = "W", converter = Converters.FiniteDouble.class, description = "Decoupled weight decay of weight matrices (default: " + TrainOptions.DEFAULT_WEIGHT_DECAY + ").")
    Double weightDecay;
    @Option(names = "--warmup", paramLabel = "EPOCHS", converter = Converters.FiniteDouble.class, description = "Linear warm-up (default: " + TrainOptions.DEFAULT_WARMUP_EPOCHS + ", at most a tenth of --epochs).")
    Double warmup;
    @Option(names = "--label-smoothing", paramLabel = "EPS", converter = Converters.FiniteDouble.class, description = "Label smoothing in [0, 1) (default: " + TrainOptions.DEFAULT_LABEL_SMOOTHING + ").")
    Double labelSmoothing;
    @Option(names = "--clip-grad", paramLabel = "NORM", converter = Converters.FiniteDouble.class, description = "Maximum global gradient norm, 0 = off (default: " + TrainOptions.DEFAULT_CLIP_GRAD + ").")
    Double clipGrad;
    @Option(names = "--seed", paramLabel = "S", description = "Seed of initialization, data order, augmentation and dropout (default: " + TrainOptions.DEFAULT_SEED + ").")
    Long seed;
    @Option(names = "--val-size", paramLabel = "N", description = "Training images held out to pick the best epoch (default: " + TrainOptions.DEFAULT_VAL_SIZE + ", at most a tenth of the data).")
    Integer valSize;
    @Option(names = "--crop-min-scale", paramLabel = "S", converter = Converters.FiniteDouble.class, description = "RandomResizedCrop minimum area; 0 = off (default: " + TrainOptions.DEFAULT_CROP_MIN_SCALE + ").")
    Double cropMinScale;
    @Option(names = "--no-flip", description = "No random horizontal flips.") Boolean noFlip;
    @Option(names = "--scramble-prob", paramLabel = "P", converter = Converters.FiniteDouble.class, description = "Probability of scrambling a training image (default: 0).") Double scrambleProb;
    @Option(names = "--scramble-grid", paramLabel = "RxC", description = "Shuffle grid of that scrambling (default: the patch grid).") ShuffleGrid scrambleGrid;

    @Option(names = "--random-erase", paramLabel = "P", converter = Converters.FiniteDouble.class,
            description = "Probability of random erasing a training image (Zhong et al.; timm's --reprob; default: 0).")
    Double randomErase;
    @Option(names = "--drop-path", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Stochastic depth rate, rising linearly to RATE in the last block (default: the config's, 0).")
    Double dropPath;
    @Option(names = "--engine", paramLabel = "compiled|eager", converter = ForwardOptions.EngineName.class,
            description = "Forward and backward: the compiled TorchScript step or the eager DJL blocks"
                    + " (default: compiled; resuming: the run's).")
    ForwardEngine engine;

    @Option(names = "--precision", paramLabel = "fp32|bf16|auto", converter = ForwardOptions.PrecisionName.class,
            description = "Matrix products of the compiled step: bf16 with fp32 weights and AdamW state, or auto:"
                    + " bf16 where the CPU has amx_bf16 or avx512_bf16 or on a GPU, else fp32"
                    + " (default: fp32; resuming: the run's).")
    Precision precision;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory; must be empty or new unless --force.")
    Path out;

    @Option(names = "--resume", arity = "0..1", paramLabel = "DIR", fallbackValue = "",
            description = "Continue the run in DIR (or --out) from its last checkpoint, with the options in its train.json.")
    String resume;

    @Option(names = "--force", description = "Let a new run overwrite the run files in a non-empty --out.")
    boolean force;

    @Option(names = "--init", paramLabel = "MODEL_DIR",
            description = "Start from this model's weights (its architecture; same labels) instead of a random init.")
    Path init;

    @Override
    public Integer call() throws Exception {
        boolean resuming = resume != null;
        Path dir = resuming && !resume.isEmpty() ? Path.of(resume) : out;
        if (dir == null) {
            throw Usage.error(spec, resuming ? "--resume needs a run directory (--resume DIR)"
                    : "missing --out DIR");
        }
        if (resuming && out != null && !resume.isEmpty() && !out.equals(dir)) {
            throw Usage.error(spec, "--resume " + dir + " and --out " + out + " name two directories");
        }
        RunDirectory run = RunDirectory.of(dir);
        ResumableRun from = null;
        String dataSpec = data;
        ViTConfig cfg;
        if (resuming) {
            if (force) {
                throw Usage.error(spec, "--resume continues a run and --force replaces it: choose one");
            }
            try {
                from = ResumableRun.open(dir);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--resume " + e.getMessage());
            } catch (IOException e) {
                throw new ModelLoadFailure("--resume " + dir + ": " + e.getMessage(), e);
            }
            if (dataSpec == null) {
                dataSpec = from.dataSource();
                dataDir = dataDir != null ? dataDir : from.dataDir();
            }
            if (dataSpec == null) {
                throw Usage.error(spec, "--resume " + dir + ": its train.json does not name the data; give --data");
            }
            cfg = from.config();
            for (String architecture : RESUME_CHECKED) {
                if (given(architecture) && init == null) {
                    try {
                        from.requireModel(
                                buildConfig().toBuilder().setNumClasses(cfg.architecture().numClasses()).build());
                    } catch (IllegalArgumentException e) {
                        throw Usage.error(spec, "--resume " + dir + ": " + architecture + " " + e.getMessage()
                                + "; drop it to continue the run");
                    }
                    break;
                }
            }
        } else {
            if (dataSpec == null) {
                throw Usage.error(spec, "missing --data fashion-mnist|DIR");
            }
            cfg = buildConfig();
            List<Path> inputs = new ArrayList<>();
            if (!dataSpec.startsWith("fashion-mnist")) {
                inputs.add(Path.of(dataSpec));
            }
            if (init != null) {
                inputs.add(init);
            }
            // emptiness is checked below, with the run's own advice
            Usage.outputDirectory(spec, "--out", dir, true, inputs);
            if (!force) {
                try {
                    run.requireEmpty();
                } catch (IllegalArgumentException e) {
                    // --resume is offered only where it can work: a run with a checkpoint
                    throw Usage.error(spec, "--out " + e.getMessage() + (run.lastCheckpoint() != null
                            ? ": continue it with --resume, or overwrite it with --force"
                            : Files.exists(dir.resolve(RunDirectory.TRAIN_JSON))
                                    ? ": its run saved no checkpoint, so it cannot be resumed; overwrite it with --force"
                                    : ": choose a new directory, or overwrite it with --force"));
                }
            }
        }
        ForwardOptions.check(spec, engine, precision);
        Device device = common.device();
        if (engine == ForwardEngine.COMPILED && !CompiledTrainStep.supports(cfg)) {
            throw Usage.error(spec, "--engine compiled: " + CompiledTrainStep.unsupported(cfg));
        }
        Precision.Choice chosen = precision == null ? null : precision.resolve(device, CpuFeatures.current());
        options(from, cfg, Integer.MAX_VALUE, chosen); // validates every number before any data is read
        ImageDataset all;
        try {
            all = DataSets.open(dataSpec, dataDir, cfg.architecture().channels(), true);
        } catch (IOException e) {
            throw Usage.error(spec, "--data " + dataSpec + ": " + IoErrors.describe(e));
        }
        if (all.labels().size() < 2) {
            throw Usage.error(spec, "--data " + dataSpec + ": one class (" + String.join(", ", all.labels())
                    + "); a classifier learns to tell at least two apart: add a folder per class");
        }
        if (!resuming && init == null && all.labels().size() != cfg.architecture().numClasses()) {
            cfg = cfg.toBuilder().setNumClasses(all.labels().size()).build();
        }
        TrainOptions opts = options(from, cfg, all.size(), chosen);
        if (opts.valSize() >= all.size()) {
            throw Usage.error(spec, "--val-size " + opts.valSize() + ": must be below the data's "
                    + all.size() + " images");
        }
        Subset[] split = Subset.split(all, opts.valSize(), opts.seed());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (!common.quiet) {
            err.printf(Locale.ROOT, "train: %s, %s%n", split[0].describe(), cfg);
            err.printf(Locale.ROOT, "train: engine %s, precision %s%n", opts.engine().cliName(),
                    chosen != null ? chosen : opts.precision().cliName());
        }
        final int totalEpochs = opts.epochs();
        final Progress[] bar = {null};
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(int epoch, int b, int batches, double loss, double ips) {
                if (bar[0] == null) {
                    bar[0] = new Progress(err, common.quiet, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, totalEpochs), batches);
                }
                bar[0].update(b, String.format(Locale.ROOT, "loss %.4f %.0f img/s", loss, ips));
                if (b == batches) {
                    bar[0].finish();
                    bar[0] = null;
                }
            }

            @Override
            public void onEpoch(String line) {
                stdout.println(line);
                stdout.flush();
            }

            @Override
            public void onSkipped(String problem) {
                err.println(problem); // named even with --quiet, as predict names its failed inputs
                err.flush();
            }

            @Override
            public void log(String message) {
                if (!common.quiet || message.contains("nothing to do")) {
                    err.println(message);
                }
            }
        };
        VitTrainer trainer = new VitTrainer(cfg, opts, device, listener).optOverwrite(force).optDataSource(dataSpec)
                .optDataDir(dataDir);
        if (init != null) {
            try {
                trainer.optInit(init);
            } catch (IOException e) {
                throw new ModelLoadFailure("--init " + e.getMessage(), e);
            }
        }
        TrainResult r = trainer.train(split[0], split[1], dir, resuming);
        if (r.validation() != null && !common.quiet) {
            err.printf(Locale.ROOT, "final validation accuracy %.2f%%; best model in %s%n",
                    100 * r.validation().accuracy(), r.modelDirectory());
        }
        if (!trainer.skipped().isEmpty()) {
            err.printf(Locale.ROOT, "vit4j train: %d image(s) could not be read and were left out%n", trainer.skipped().size());
            err.flush();
            return ExitCodes.SOME_FAILED;
        }
        return ExitCodes.OK;
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /**
     * The run's options: the defaults (or, resuming, the run's own) with every option given on
     * the command line applied; validated here, before any data is read (resuming, by the
     * library's rules: {@link ResumableRun#requireOptions(TrainOptions.Builder)}). A refusal is a
     * usage error naming the option as it was typed ({@code --lr -1: must be a number above 0}).
     */
    private TrainOptions options(ResumableRun from, ViTConfig cfg, int dataSize, Precision.Choice chosen) {
        try {
            return buildOptions(from, cfg, dataSize, chosen);
        } catch (InvalidOptionException e) {
            throw Usage.invalid(spec, e, Map.of("warmupEpochs", "--warmup"));
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, from != null ? "--resume " + e.getMessage() : e.getMessage());
        }
    }

    private TrainOptions buildOptions(ResumableRun from, ViTConfig cfg, int dataSize, Precision.Choice chosen) {
        TrainOptions saved = from == null ? null : from.options();
        TrainOptions.Builder b = saved != null ? saved.toBuilder() : TrainOptions.builder();
        if (engine != null) {
            b.optEngine(engine);
        } else if (saved == null) {
            b.optEngine(CompiledTrainStep.supports(cfg) ? ForwardEngine.COMPILED : ForwardEngine.EAGER);
        }
        if (chosen != null) {
            b.optPrecision(chosen.precision());
        }
        if (epochs != null) {
            b.optEpochs(epochs);
        }
        if (batchSize != null) {
            b.optBatchSize(batchSize);
        }
        if (lr != null) {
            b.optLr(lr);
        }
        if (minLr != null) {
            b.optMinLr(minLr);
        } else if (saved == null && lr != null && lr < TrainOptions.DEFAULT_MIN_LR) {
            b.optMinLr(lr);
        }
        if (weightDecay != null) {
            b.optWeightDecay(weightDecay);
        }
        if (warmup != null) {
            b.optWarmupEpochs(warmup);
        }
        if (labelSmoothing != null) {
            b.optLabelSmoothing(labelSmoothing);
        }
        if (clipGrad != null) {
            b.optClipGrad(clipGrad);
        }
        if (seed != null) {
            b.optSeed(seed);
        }
        if (valSize != null) {
            b.optValSize(valSize);
        } else if (saved == null) {
            b.optValSize(TrainOptions.defaultValSize(dataSize));
        }
        if (cropMinScale != null) {
            b.optCropMinScale(cropMinScale);
        }
        if (noFlip != null) {
            b.optHflip(!noFlip);
        }
        if (scrambleProb != null || scrambleGrid != null) {
            double p = scrambleProb != null ? scrambleProb : saved != null ? saved.scrambleProb() : 0;
            String grid = scrambleGrid != null ? scrambleGrid.toString()
                    : saved != null && saved.scrambleGrid() != null ? saved.scrambleGrid()
                    : p > 0 ? cfg.architecture().grid().shape() : null;
            b.optScramble(p, grid);
        }
        if (randomErase != null) {
            b.optRandomErase(randomErase);
        }
        return from == null ? b.build() : from.requireOptions(b);
    }

    private ViTConfig buildConfig() throws ModelLoadFailure {
        if (init != null) {
            for (String architecture : ARCHITECTURE) {
                if (spec.commandLine().getParseResult().hasMatchedOption(architecture)) {
                    throw Usage.error(spec, "--init takes the architecture from " + init
                            + "; drop " + architecture);
                }
            }
            try {
                ViTConfig saved = ModelDirectory.readConfig(init);
                return dropPath == null ? saved : saved.toBuilder().optDropPath(dropPath).build();
            } catch (IOException e) {
                throw new ModelLoadFailure("--init " + init + ": " + e.getMessage(), e);
            }
        }
        ViTConfigBuilder b;
        String config = this.config == null ? "fashion" : this.config;
        Path file = Path.of(config);
        if (config.endsWith(".json") || Files.isRegularFile(file)) {
            try {
                b = ViTConfig.fromJson(Files.readString(file)).toBuilder();
            } catch (IOException | IllegalArgumentException e) {
                throw new ModelLoadFailure("--config " + config + ": " + e.getMessage(), e);
            }
        } else {
            try {
                b = Variant.fromName(config).toTrainingBuilder();
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--config " + config + ": not a file, and not a variant; "
                        + Converters.validOnly(e));
            }
        }
        if (posEmb != null) {
            try {
                b.optPosEmb(posEmb);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--pos-emb " + posEmb + ": " + e.getMessage());
            }
        }
        if (layout != null) {
            b.optPosEmbLayout(layout);
        }
        if (positionScaling != null) {
            b.optPositionScaling(positionScaling);
        }
        if (pooling != null) {
            b.optPooling(pooling).optClassToken(pooling == Pooling.CLS);
        }
        if (dropPath != null) {
            b.optDropPath(dropPath);
        }
        return b.build();
    }
}
