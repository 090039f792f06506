package org.vit4j.cli;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.position.SinCosLayout;
import org.vit4j.train.EvalResult;
import org.vit4j.train.ImageDataset;
import org.vit4j.train.Subset;
import org.vit4j.train.TrainOptions;
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

    @Option(names = "--data", required = true, paramLabel = "fashion-mnist|DIR", description = "Fashion-MNIST (training split) or an image folder.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the Fashion-MNIST IDX files are.")
    Path dataDir;

    @Option(names = "--config", defaultValue = "fashion", paramLabel = "VARIANT|FILE.json",
            description = "A variant (tiny, small, base, fashion, fashion-small, micro) or a config.json (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--pos-emb", paramLabel = "KIND", description = "none, learned, sincos1d, sincos2d-mae, sincos2d-bigvision, rope-axial, rope-mixed, rope-dinov3, or a rotary and an absolute kind joined by + (rope-mixed+learned) (default: learned, or the config file's).")
    String posEmb;

    @Option(names = "--layout", paramLabel = "split|interleaved", description = "Sin-cos layout (default: split).")
    String layout;

    @Option(names = "--pooling", paramLabel = "cls|avg", description = "Pooling (default: avg for variants, or the config file's).")
    String pooling;

    @Option(names = "--epochs", defaultValue = "20") int epochs;
    @Option(names = "--batch-size", defaultValue = "128") int batchSize;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate.") double lr;
    @Option(names = "--min-lr", defaultValue = "1e-5") double minLr;
    @Option(names = "--weight-decay", defaultValue = "0.05") double weightDecay;
    @Option(names = "--warmup", defaultValue = "2", paramLabel = "EPOCHS") double warmup;
    @Option(names = "--label-smoothing", defaultValue = "0.1") double labelSmoothing;
    @Option(names = "--clip-grad", defaultValue = "1.0") double clipGrad;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--val-size", defaultValue = "5000", description = "Training images held out to pick the best epoch.") int valSize;
    @Option(names = "--crop-min-scale", defaultValue = "0.8", description = "RandomResizedCrop minimum area; 0 = off.") double cropMinScale;
    @Option(names = "--no-flip", description = "No random horizontal flips.") boolean noFlip;
    @Option(names = "--scramble-prob", defaultValue = "0", description = "Probability of scrambling a training image.") double scrambleProb;
    @Option(names = "--scramble-grid", paramLabel = "RxC", description = "Shuffle grid of that scrambling (default: the patch grid).") String scrambleGrid;

    @Option(names = "--random-erase", defaultValue = "0", paramLabel = "P",
            description = "Probability of random erasing a training image (Zhong et al.; timm's --reprob).")
    double randomErase;
    @Option(names = "--drop-path", paramLabel = "RATE",
            description = "Stochastic depth rate, rising linearly to RATE in the last block (default: the config's, 0).")
    Double dropPath;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--init", paramLabel = "MODEL_DIR",
            description = "Start from this model's weights (its architecture; same labels) instead of a random init.")
    Path init;

    @Override
    public Integer call() throws Exception {
        ViTConfig cfg = buildConfig();
        String grid = scrambleProb > 0 && scrambleGrid == null ? cfg.getGrid().shape() : scrambleGrid;
        TrainOptions opts = new TrainOptions(epochs, batchSize, lr, minLr, weightDecay, warmup, labelSmoothing,
                clipGrad, seed, valSize, cropMinScale, !noFlip, scrambleProb, grid, randomErase);
        Device device = common.device();
        ImageDataset all;
        try {
            all = DataSets.open(data, dataDir, cfg.getChannels(), true);
        } catch (IOException e) {
            throw new IllegalArgumentException("--data: " + e.getMessage(), e);
        }
        if (init == null && all.labels().size() != cfg.getNumClasses()) {
            cfg = cfg.toBuilder().setNumClasses(all.labels().size()).build();
        }
        Subset[] split = Subset.split(all, valSize, seed);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (!common.quiet) {
            err.printf(Locale.ROOT, "train: %s, %s%n", split[0].describe(), cfg);
        }
        final Progress[] bar = {null};
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(int epoch, int b, int batches, double loss, double ips) {
                if (bar[0] == null) {
                    bar[0] = new Progress(err, common.quiet, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs), batches);
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
            public void log(String message) {
                if (!common.quiet) {
                    err.println(message);
                }
            }
        };
        VitTrainer trainer = new VitTrainer(cfg, opts, device, listener);
        if (init != null) {
            try {
                trainer.optInit(init);
            } catch (IOException e) {
                throw new ModelLoadFailure("--init " + e.getMessage(), e);
            }
        }
        EvalResult r = trainer.train(split[0], split[1], out, resume);
        if (r != null && !common.quiet) {
            err.printf(Locale.ROOT, "final validation accuracy %.2f%%; best model in %s%n", 100 * r.accuracy(), out);
        }
        return ExitCodes.OK;
    }

    private ViTConfig buildConfig() throws ModelLoadFailure {
        if (init != null) {
            for (String architecture : new String[] {"--config", "--pos-emb", "--layout", "--pooling"}) {
                if (spec.commandLine().getParseResult().hasMatchedOption(architecture)) {
                    throw new IllegalArgumentException("--init takes the architecture from " + init
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
        ViTConfig.Builder b;
        Path file = Path.of(config);
        if (config.endsWith(".json") || Files.isRegularFile(file)) {
            try {
                b = ViTConfig.fromJson(Files.readString(file)).toBuilder();
            } catch (IOException | IllegalArgumentException e) {
                throw new ModelLoadFailure("--config " + config + ": " + e.getMessage(), e);
            }
        } else {
            b = Variant.fromName(config).toBuilder().optPooling(Pooling.AVG);
        }
        if (posEmb != null) {
            b.optPosEmb(posEmb);
        }
        if (layout != null) {
            b.optPosEmbLayout(SinCosLayout.fromName(layout));
        }
        if (pooling != null) {
            Pooling p = Pooling.fromName(pooling);
            b.optPooling(p).optClassToken(p == Pooling.CLS);
        }
        if (dropPath != null) {
            b.optDropPath(dropPath);
        }
        return b.build();
    }
}
