package org.vit4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.vit4j.compiled.CompiledTrainStep;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * Trains a {@link VitModel}: the forward and backward by the compiled program ({@link
 * CompiledTrainStep}, the default) or the eager blocks ({@link TrainOptions#engine()}), AdamW, linear warm-up then cosine decay, global-norm gradient
 * clipping, label-smoothed cross-entropy, seeded data order and augmentation. The files it writes
 * are described by {@link RunDirectory}.
 *
 * <p>Runs are deterministic: the same options, data and seed on the same machine give
 * bit-identical metrics and weights, and {@link #train} with {@code resume} continues from the last
 * checkpoint with the same schedule, data order and random streams as an uninterrupted run. A
 * non-finite loss or gradient stops training with a {@link TrainingDivergedException} before it
 * reaches the weights.
 */
public final class VitTrainer {

    private final ViTConfig config;
    private final TrainOptions options;
    private final Device device;
    private final TrainingListener listener;
    private ModelDirectory.Contents init;
    private String initSource;
    private boolean overwrite;
    private final Set<String> skipped = new LinkedHashSet<>();
    private String dataSource;
    private Path dataDir;

    /**
     * Creates a trainer.
     *
     * @param config the model to train
     * @param options how to train it
     * @param device where to train
     * @param listener progress callbacks (may be a no-op)
     */
    public VitTrainer(ViTConfig config, TrainOptions options, Device device, TrainingListener listener) {
        this.config = config;
        this.options = options;
        this.device = device;
        this.listener = listener == null ? new TrainingListener() {} : listener;
    }

    /**
     * Starts from the weights of a saved model instead of a random initialization (fine-tuning,
     * or a second stage with other options). The saved model must have this trainer's config, up
     * to the training-only rates (dropout, stochastic depth), and the training data's labels; optimizer state and learning-rate schedule start afresh. Its
     * path and weight checksum are recorded in {@code train.json}. A resumed run continues from
     * its own checkpoint and does not read these weights.
     *
     * @param modelDir a model directory ({@code config.json}, {@code labels.txt}, weights)
     * @return this trainer
     * @throws IOException if the directory cannot be read or its config differs
     */
    public VitTrainer optInit(Path modelDir) throws IOException {
        ModelDirectory.Contents c = ModelDirectory.read(ModelFiles.of(modelDir));
        if (!config.sameModel(c.config())) {
            throw new IOException(modelDir + ": its config differs from the model to train:\n  "
                    + c.config() + "\nvs\n  " + config);
        }
        init = c;
        initSource = modelDir.toString();
        return this;
    }

    /**
     * Lets a new run replace the run files of a directory that already holds one; without it,
     * {@link #train} refuses a non-empty output directory. Default false.
     *
     * @param overwrite whether to overwrite
     * @return this trainer
     */
    public VitTrainer optOverwrite(boolean overwrite) {
        this.overwrite = overwrite;
        return this;
    }

    /**
     * Names the data for {@code train.json}, as the user gave it (e.g. {@code fashion-mnist} or a
     * folder), so that a resumed run can find it again. Default: none recorded.
     *
     * @param source the data's name or path
     * @return this trainer
     */
    public VitTrainer optDataSource(String source) {
        this.dataSource = source;
        return this;
    }

    /**
     * Records where the data source's files are (e.g. the Fashion-MNIST IDX folder given with
     * {@code --data-dir}), so that a resumed run reads the same files. Default: none recorded.
     *
     * @param dir the folder, or null
     * @return this trainer
     */
    public VitTrainer optDataDir(Path dir) {
        this.dataDir = dir;
        return this;
    }

    /**
     * Runs training.
     *
     * @param train training images
     * @param val validation images (may be empty: then the last epoch is kept as best)
     * @param out output directory
     * @param resume continue from {@code out/checkpoints/last}
     * @return validation result of the final model
     * @throws IOException if reading data or writing checkpoints fails
     */
    public EvalResult train(ImageDataset train, ImageDataset val, Path out, boolean resume) throws IOException {
        List<String> labels = train.labels();
        RunDirectory run = RunDirectory.of(out);
        if (!resume) {
            if (overwrite) {
                run.clearRun();
            } else {
                run.requireEmpty();
            }
        }
        Files.createDirectories(out);
        int startEpoch = 0;
        double bestAcc = -1;
        try (VitModel model = VitModel.create(config, labels, device, options.seed());
                CompiledTrainStep compiled = options.engine() == ForwardEngine.COMPILED
                        ? CompiledTrainStep.compile(model.getBlock(),
                                new Precision.Choice(options.precision(), "the run's options"),
                                model.getModel().getNDManager())
                        : null) {
            AdamW opt = new AdamW(model.getBlock().namedParameters(), model.getModel().getNDManager(),
                    options.weightDecay());
            if (resume) {
                Path ckpt = run.lastCheckpoint();
                if (ckpt == null) {
                    throw new IOException(out + ": no checkpoint to resume from (checkpoints/last missing)");
                }
                JsonObject record = run.readRecord();
                TrainOptions saved = run.readOptions();
                List<String> differ = saved.toBuilder().optEpochs(options.epochs()).build().differences(options);
                if (!differ.isEmpty()) {
                    throw new IllegalArgumentException(out + ": the run was started with other options ("
                            + String.join("; ", differ) + ", as run vs as asked); resume with the run's own");
                }
                if (options.epochs() < saved.epochs()) {
                    throw new IllegalArgumentException(out + ": the run has " + saved.epochs()
                            + " epochs; resuming can raise the number of epochs, not lower it (asked "
                            + options.epochs() + ")");
                }
                ModelDirectory.Contents checkpoint = ModelDirectory.read(ModelFiles.of(ckpt));
                if (!checkpoint.config().equals(config)) {
                    throw new IOException(ckpt + ": checkpoint config differs from the requested model");
                }
                RunDirectory.State state = RunDirectory.readState(ckpt);
                startEpoch = state.epochsDone();
                bestAcc = state.bestValAccuracy();
                if (startEpoch >= options.epochs()) {
                    listener.log(out + ": all " + startEpoch + " epochs are done; nothing to do"
                            + " (raise the number of epochs to train longer)");
                    return null;
                }
                if (options.epochs() != saved.epochs()) {
                    JsonObject change = new JsonObject();
                    change.addProperty("after_epoch", startEpoch);
                    change.addProperty("epochs_before", saved.epochs());
                    change.addProperty("epochs", options.epochs());
                    JsonArray changes = record.has("extended") ? record.getAsJsonArray("extended") : new JsonArray();
                    changes.add(change);
                    record.add("extended", changes);
                    record.addProperty("epochs", options.epochs());
                    run.writeRecord(record);
                    listener.log("extending the run from " + saved.epochs() + " to " + options.epochs()
                            + " epochs: the cosine schedule is recomputed for the new length");
                }
                model.loadWeights(checkpoint.weights(), ckpt.toString());
                opt.loadState(Files.readAllBytes(ckpt.resolve("optimizer.safetensors")),
                        model.getModel().getNDManager(), ckpt.toString());
                run.truncateMetrics(startEpoch);
                listener.log("resuming " + ckpt + " after epoch " + startEpoch + " of " + options.epochs());
            } else {
                JsonObject record = JsonParser.parseString(options.toJson()).getAsJsonObject();
                if (init != null) {
                    if (!init.labels().equals(labels)) {
                        throw new IOException(initSource + ": its labels " + init.labels()
                                + " differ from the training data's " + labels);
                    }
                    model.loadWeights(init.weights(), initSource);
                    JsonObject from = new JsonObject();
                    from.addProperty("dir", initSource);
                    from.addProperty("weights_sha256", ModelDirectory.sha256(init.weights()));
                    record.add("init", from);
                    listener.log("starting from the weights in " + initSource);
                }
                record.add("data", dataRecord(train, val));
                record.add("provenance", Provenance.of(device));
                run.writeRecord(record);
                run.deleteMetrics();
            }
            int n = train.size();
            int stepsPerEpoch = (n + options.batchSize() - 1) / options.batchSize();
            long totalSteps = (long) stepsPerEpoch * options.epochs();
            LrSchedule schedule = new LrSchedule(options.lr(), options.minLr(),
                    Math.round(options.warmupEpochs() * stepsPerEpoch), totalSteps);
            ImagePreprocessor pre = config.preprocessor();
            Augment augment = options.augment();
            Engine engine = Engine.getEngine("PyTorch");
            EvalResult last = null;
            for (int epoch = startEpoch; epoch < options.epochs(); epoch++) {
                long t0 = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                int seen = 0;
                int batch = 0;
                int epochSkipped = 0;
                try (BatchLoader loader = new BatchLoader(train, epochOrder(n, epoch), options.batchSize(),
                        pre, augment, options.seed(), epoch + 1L, null)) {
                    while (true) {
                        long wait = System.nanoTime();
                        if (!loader.hasNext()) {
                            break;
                        }
                        BatchLoader.Batch b = loader.next();
                        listener.onBatchWait((System.nanoTime() - wait) / 1e9);
                        epochSkipped += skip(b.skipped());
                        long step = (long) epoch * stepsPerEpoch + batch;
                        if (b.size() > 0) { // a batch of only unreadable images has nothing to learn from
                            // dropout and stochastic depth draw from the engine: reseed per step for resumability
                            engine.setRandomSeed((int) (options.seed() * 1_000_003L + step));
                            double[] lc = step(model, compiled, opt, engine, b, schedule.at(step), epoch + 1, step + 1);
                            lossSum += lc[0] * b.size();
                            correct += (long) lc[1];
                            seen += b.size();
                        }
                        batch++;
                        double secs = (System.nanoTime() - t0) / 1e9;
                        listener.onStep(epoch, batch, stepsPerEpoch, seen == 0 ? 0 : lossSum / seen, seen / secs);
                    }
                }
                if (seen == 0) {
                    throw new IOException("no training image could be read (" + epochSkipped + " skipped)");
                }
                double trainSecs = (System.nanoTime() - t0) / 1e9;
                last = val.size() > 0 ? Evaluator.evaluate(model, val, 256, null, options.seed(), null) : null;
                if (last != null) {
                    epochSkipped += skip(last.skipped());
                }
                if (last != null && !(Double.isFinite(last.loss()) && Double.isFinite(last.accuracy()))) {
                    throw new TrainingDivergedException(epoch + 1, (long) (epoch + 1) * stepsPerEpoch,
                            "validation loss " + last.loss());
                }
                boolean best = last == null || last.accuracy() > bestAcc;
                if (best) {
                    bestAcc = last == null ? bestAcc : last.accuracy();
                    model.save(out);
                }
                long steps = (long) (epoch + 1) * stepsPerEpoch;
                EpochMetrics metrics = new EpochMetrics(epoch + 1, steps, schedule.at(steps - 1),
                        lossSum / seen, (double) correct / seen,
                        last == null ? null : last.loss(), last == null ? null : last.accuracy(),
                        best, seen / trainSecs, trainSecs, epochSkipped);
                // metrics first: a kill between the two leaves a line that resume truncates and rewrites;
                // the other order could leave a checkpoint whose epoch has no line
                run.appendMetrics(metrics);
                run.saveCheckpoint(model, opt, new RunDirectory.State(epoch + 1, opt.steps(), bestAcc));
                listener.onEpoch(metrics.toJson());
            }
            return last;
        }
    }

    /**
     * The images a run left out because they could not be read, each {@code NAME: REASON} once.
     *
     * @return in the order they were found
     */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    /** Tells the listener of each image not reported before; returns how many were given. */
    private int skip(List<String> problems) {
        for (String p : problems) {
            if (skipped.add(p)) {
                listener.onSkipped(p);
            }
        }
        return problems.size();
    }

    private JsonObject dataRecord(ImageDataset train, ImageDataset val) throws IOException {
        JsonObject data = new JsonObject();
        if (dataSource != null) {
            data.addProperty("source", dataSource);
        }
        if (dataDir != null) {
            data.addProperty("data_dir", dataDir.toString());
        }
        data.addProperty("train", train.describe());
        data.addProperty("train_images", train.size());
        data.addProperty("train_sha256", train.fingerprint());
        data.addProperty("val", val.describe());
        data.addProperty("val_images", val.size());
        data.addProperty("val_sha256", val.fingerprint());
        return data;
    }

    /**
     * One optimizer step, the forward and backward by the compiled program or, when it is null,
     * the eager blocks; returns {mean loss, correct count}.
     *
     * @throws TrainingDivergedException if the loss or the gradient norm is not finite
     */
    private double[] step(VitModel model, CompiledTrainStep compiled, AdamW opt, Engine engine, BatchLoader.Batch b, double lr,
            int epoch, long stepNumber) {
        int k = config.getNumClasses();
        try (NDScope scope = new NDScope(); NDManager m = model.newManager()) {
            scope.suppressNotUsedWarning();
            NDArray x = m.create(b.images(), new Shape(b.size(), b.channels(), b.height(), b.width()));
            float eps = (float) options.labelSmoothing();
            float[] target = new float[b.size() * k];
            for (int i = 0; i < b.size(); i++) {
                for (int j = 0; j < k; j++) {
                    target[i * k + j] = eps / k;
                }
                target[i * k + b.labels()[i]] += 1 - eps;
            }
            NDArray y = m.create(target, new Shape(b.size(), k));
            double loss;
            long[] pred;
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDArray logits; // (B, K)
                NDArray l; // label-smoothed cross-entropy
                if (compiled != null) {
                    NDList out = compiled.loss(x, y);
                    l = out.get(0);
                    logits = out.get(1);
                } else {
                    logits = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), true).get(0);
                    l = logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean();
                }
                gc.backward(l);
                loss = l.getFloat();
                pred = logits.argMax(1).toLongArray();
            }
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException(epoch, stepNumber, "loss " + loss);
            }
            double norm = opt.gradNorm();
            if (!Double.isFinite(norm)) {
                throw new TrainingDivergedException(epoch, stepNumber, "gradient norm " + norm);
            }
            double scale = 1.0;
            if (options.clipGrad() > 0) {
                if (norm > options.clipGrad()) {
                    scale = options.clipGrad() / norm;
                }
            }
            opt.step(lr, scale);
            int correct = 0;
            for (int i = 0; i < b.size(); i++) {
                if (pred[i] == b.labels()[i]) {
                    correct++;
                }
            }
            return new double[] {loss, correct};
        }
    }

    private int[] epochOrder(int n, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random r = new Random(options.seed() * 31 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
