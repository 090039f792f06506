package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vit4j.InvalidOptionException;
import org.vit4j.compiled.Precision;
import org.vit4j.model.Pooling;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.SinCosLayout;
import org.vit4j.train.TrainOptions;
import org.vit4j.train.TrainResult;
import org.vit4j.train.TrainRun;
import org.vit4j.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j train}: train a model on Fashion-MNIST or an image folder. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a ViT; writes the best model, checkpoints and metrics.jsonl to --out.")
final class TrainCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin ForwardOptions forward;

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
        if (forward.precisionGiven() == Precision.INT8) {
            throw Usage.error(spec, "--precision int8: " + TrainOptions.INT8_INFERENCE_ONLY);
        }
        boolean resuming = resume != null;
        Path dir = resuming && !resume.isEmpty() ? Path.of(resume) : out;
        if (dir == null) {
            throw Usage.error(spec, resuming ? "--resume needs a run directory (--resume DIR)"
                    : "missing --out DIR");
        }
        if (resuming && out != null && !resume.isEmpty() && !out.equals(dir)) {
            throw Usage.error(spec, "--resume " + dir + " and --out " + out + " name two directories");
        }
        if (!resuming && data != null) {
            List<Path> inputs = new ArrayList<>();
            if (!data.startsWith("fashion-mnist")) {
                inputs.add(Path.of(data));
            }
            if (init != null) {
                inputs.add(init);
            }
            // emptiness is checked by the run, with its own advice
            Usage.outputDirectory(spec, "--out", dir, true, inputs);
        }
        TrainRun run;
        try {
            run = TrainRun.plan(request(dir, resuming));
        } catch (InvalidOptionException e) {
            throw Usage.invalid(spec, e, Map.of("warmupEpochs", "--warmup"));
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, e.getMessage());
        } catch (IOException e) {
            throw new ModelLoadFailure(e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        if (!common.quiet) {
            err.printf(Locale.ROOT, "train: %s, %s%n", run.trainImages().describe(), run.config());
            err.printf(Locale.ROOT, "train: engine %s, precision %s%n", run.options().engine().cliName(),
                    run.precisionChoice() != null ? run.precisionChoice() : run.options().precision().cliName());
        }
        TrainResult r;
        try {
            r = run.train(listener(err, run.options().epochs()));
        } catch (TrainRun.InitUnreadableException e) {
            throw new ModelLoadFailure(e.getMessage(), e);
        }
        if (r.validation() != null && !common.quiet) {
            err.printf(Locale.ROOT, "final validation accuracy %.2f%%; best model in %s%n",
                    100 * r.validation().accuracy(), r.modelDirectory());
        }
        if (!run.skipped().isEmpty()) {
            err.printf(Locale.ROOT, "vit4j train: %d image(s) could not be read and were left out%n", run.skipped().size());
            err.flush();
            return ExitCodes.SOME_FAILED;
        }
        return ExitCodes.OK;
    }

    /** The request of the options given. */
    private TrainRun.Request request(Path dir, boolean resuming) {
        return new TrainRun.Request().setRun(dir, resuming, force).optData(data, dataDir)
                .optArchitecture(config, posEmb, layout, positionScaling,
                        pooling, dropPath)
                .optInit(init)
                .optCompute(common.device(), forward.engineGiven(), forward.precisionGiven())
                .optSchedule(epochs, batchSize, lr, minLr, warmup, seed)
                .optRegularization(weightDecay, labelSmoothing, clipGrad, valSize)
                .optAugmentation(cropMinScale, noFlip == null ? null : !noFlip, scrambleProb,
                        scrambleGrid == null ? null : scrambleGrid.toString(), randomErase);
    }

    /** Progress bars per epoch and the metrics lines on stdout; skipped images named even with --quiet. */
    private TrainingListener listener(PrintWriter err, int totalEpochs) {
        PrintWriter stdout = spec.commandLine().getOut();
        return new TrainingListener() {
            private Progress bar;

            @Override
            public void onStep(int epoch, int b, int batches, double loss, double ips) {
                if (bar == null) {
                    bar = new Progress(err, common.quiet, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, totalEpochs), batches);
                }
                bar.update(b, String.format(Locale.ROOT, "loss %.4f %.0f img/s", loss, ips));
                if (b == batches) {
                    bar.finish();
                    bar = null;
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
    }
}
