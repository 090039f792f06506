package org.vit4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.io.AtomicFiles;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * Trains a {@link VitModel}: AdamW, linear warm-up then cosine decay, global-norm gradient
 * clipping, label-smoothed cross-entropy, seeded data order and augmentation.
 *
 * <p>Output directory:
 *
 * <pre>
 *   OUT/config.json, labels.txt, model.safetensors, checksums.sha256   the best model (by validation accuracy)
 *   OUT/train.json       the {@link TrainOptions} (and, after {@link #optInit}, the weights it started from)
 *   OUT/metrics.jsonl    one JSON object per epoch
 *   OUT/checkpoints/epoch-NNNN/   the last epoch: model files, optimizer.safetensors, state.json
 *   OUT/checkpoints/last          the name of the last complete checkpoint directory
 * </pre>
 *
 * A checkpoint directory is written under a temporary name and renamed when complete, and the
 * {@code last} pointer is replaced atomically afterwards, so a kill at any moment leaves the
 * previous checkpoint loadable. {@link #train} with {@code resume} continues from it with the same
 * schedule, data order and random streams as an uninterrupted run.
 */
public final class VitTrainer {

    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().create();

    private final ViTConfig config;
    private final TrainOptions options;
    private final Device device;
    private final TrainingListener listener;
    private ModelDirectory.Contents init;
    private String initSource;

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
        if (!config.sameNetwork(c.config())) {
            throw new IOException(modelDir + ": its config differs from the model to train:\n  "
                    + c.config() + "\nvs\n  " + config);
        }
        init = c;
        initSource = modelDir.toString();
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
        Files.createDirectories(out);
        Path trainJson = out.resolve("train.json");
        int startEpoch = 0;
        double bestAcc = -1;
        try (VitModel model = VitModel.create(config, labels, device, options.seed())) {
            AdamW opt = new AdamW(model.getBlock().namedParameters(), model.getModel().getNDManager(),
                    options.weightDecay());
            if (resume) {
                Path ckpt = lastCheckpoint(out);
                if (ckpt == null) {
                    throw new IOException(out + ": no checkpoint to resume from (checkpoints/last missing)");
                }
                TrainOptions saved = TrainOptions.fromJson(Files.readString(trainJson));
                if (!saved.equals(options)) {
                    throw new IOException(trainJson + ": the run was started with other options; resume"
                            + " with the same ones:\n" + saved.toJson());
                }
                ModelDirectory.Contents checkpoint = ModelDirectory.read(ModelFiles.of(ckpt));
                if (!checkpoint.config().equals(config)) {
                    throw new IOException(ckpt + ": checkpoint config differs from the requested model");
                }
                model.loadWeights(checkpoint.weights(), ckpt.toString());
                opt.loadState(Files.readAllBytes(ckpt.resolve("optimizer.safetensors")),
                        model.getModel().getNDManager(), ckpt.toString());
                JsonObject state = JsonParser.parseString(Files.readString(ckpt.resolve("state.json"))).getAsJsonObject();
                startEpoch = state.get("epochsDone").getAsInt();
                bestAcc = state.get("bestValAccuracy").getAsDouble();
                truncateMetrics(out.resolve("metrics.jsonl"), startEpoch);
                listener.log("resuming " + ckpt + " after epoch " + startEpoch);
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
                AtomicFiles.writeString(trainJson, PRETTY.toJson(record) + "\n");
                Files.deleteIfExists(out.resolve("metrics.jsonl"));
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
                try (BatchLoader loader = new BatchLoader(train, epochOrder(n, epoch), options.batchSize(),
                        pre, augment, options.seed(), epoch + 1L, null)) {
                    while (loader.hasNext()) {
                        BatchLoader.Batch b = loader.next();
                        long step = (long) epoch * stepsPerEpoch + batch;
                        // dropout and stochastic depth draw from the engine: reseed per step for resumability
                        engine.setRandomSeed((int) (options.seed() * 1_000_003L + step));
                        double[] lc = step(model, opt, engine, b, schedule.at(step));
                        lossSum += lc[0] * b.size();
                        correct += (long) lc[1];
                        seen += b.size();
                        batch++;
                        double secs = (System.nanoTime() - t0) / 1e9;
                        listener.onStep(epoch, batch, stepsPerEpoch, lossSum / seen, seen / secs);
                    }
                }
                double trainSecs = (System.nanoTime() - t0) / 1e9;
                last = val.size() > 0 ? Evaluator.evaluate(model, val, 256, null, options.seed(), null) : null;
                double valAcc = last == null ? Double.NaN : last.accuracy();
                boolean best = last == null || valAcc > bestAcc;
                if (best) {
                    bestAcc = last == null ? bestAcc : valAcc;
                    model.save(out);
                }
                String line = String.format(Locale.ROOT,
                        "{\"epoch\": %d, \"step\": %d, \"lr\": %.6g, \"train_loss\": %.5f, \"train_accuracy\": %.5f,"
                                + " \"val_loss\": %.5f, \"val_accuracy\": %.5f, \"best\": %b,"
                                + " \"images_per_s\": %.1f, \"epoch_seconds\": %.1f}",
                        epoch + 1, (long) (epoch + 1) * stepsPerEpoch, schedule.at((long) (epoch + 1) * stepsPerEpoch - 1),
                        lossSum / seen, (double) correct / seen,
                        last == null ? Double.NaN : last.loss(), valAcc, best, seen / trainSecs, trainSecs);
                // metrics first: a kill between the two leaves a line that resume truncates and rewrites;
                // the other order could leave a checkpoint whose epoch has no line
                appendLine(out.resolve("metrics.jsonl"), line);
                saveCheckpoint(out, model, opt, epoch + 1, bestAcc);
                listener.onEpoch(line);
            }
            return last;
        }
    }

    /**
     * Training throughput of this config and options on real data: the same loader, augmentation,
     * forward, backward, clipping and AdamW step as {@link #train}, timed after a warm-up; nothing
     * is written. A benchmark, not part of training.
     *
     * @param data training images
     * @param warmupSteps untimed steps first
     * @param seconds how long to time
     * @return images per second
     */
    public double measureThroughput(ImageDataset data, int warmupSteps, double seconds) {
        try (VitModel model = VitModel.create(config, data.labels(), device, options.seed())) {
            AdamW opt = new AdamW(model.getBlock().namedParameters(), model.getModel().getNDManager(),
                    options.weightDecay());
            Engine engine = Engine.getEngine("PyTorch");
            long images = 0;
            long start = 0;
            int steps = 0;
            try (BatchLoader loader = new BatchLoader(data, epochOrder(data.size(), 0), options.batchSize(),
                    config.preprocessor(), options.augment(), options.seed(), 1, null)) {
                while (loader.hasNext()) {
                    BatchLoader.Batch b = loader.next();
                    step(model, opt, engine, b, options.lr());
                    steps++;
                    if (steps == warmupSteps) {
                        start = System.nanoTime();
                    } else if (steps > warmupSteps) {
                        images += b.size();
                        if (System.nanoTime() - start > seconds * 1e9) {
                            break;
                        }
                    }
                }
            }
            if (images == 0) {
                throw new IllegalArgumentException("data set too small: " + data.size() + " images for "
                        + warmupSteps + " warm-up steps of " + options.batchSize());
            }
            return images / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** One optimizer step; returns {mean loss, correct count}. */
    private double[] step(VitModel model, AdamW opt, Engine engine, BatchLoader.Batch b, double lr) {
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
                NDArray logits = model.getBlock().forward(new ParameterStore(m, false), new ai.djl.ndarray.NDList(x), true)
                        .get(0); // (B, K)
                NDArray l = logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean(); // label-smoothed CE
                gc.backward(l);
                loss = l.getFloat();
                pred = logits.argMax(1).toLongArray();
            }
            double scale = 1.0;
            if (options.clipGrad() > 0) {
                double norm = opt.gradNorm();
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

    /**
     * The last complete checkpoint of an output directory.
     *
     * @param out output directory
     * @return its path, or null if there is none
     * @throws IOException if the pointer cannot be read
     */
    public static Path lastCheckpoint(Path out) throws IOException {
        Path pointer = out.resolve("checkpoints").resolve("last");
        if (!Files.isRegularFile(pointer)) {
            return null;
        }
        Path dir = out.resolve("checkpoints").resolve(Files.readString(pointer).strip());
        return Files.isDirectory(dir) ? dir : null;
    }

    private void saveCheckpoint(Path out, VitModel model, AdamW opt, int epochsDone, double bestAcc)
            throws IOException {
        Path root = out.resolve("checkpoints");
        Files.createDirectories(root);
        String name = String.format(Locale.ROOT, "epoch-%04d", epochsDone);
        Path tmp = Files.createTempDirectory(root, "." + name + ".");
        model.save(tmp);
        AtomicFiles.writeBytes(tmp.resolve("optimizer.safetensors"),
                opt.stateAsSafetensors(model.getModel().getNDManager()));
        AtomicFiles.writeString(tmp.resolve("state.json"), String.format(Locale.ROOT,
                "{\"epochsDone\": %d, \"steps\": %d, \"bestValAccuracy\": %.8f}%n", epochsDone, opt.steps(), bestAcc));
        Path target = root.resolve(name);
        deleteTree(target);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.writeString(root.resolve("last"), name + "\n");
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String f = p.getFileName().toString();
                if (Files.isDirectory(p) && !f.equals(name) && (f.startsWith("epoch-") || f.startsWith(".epoch-"))) {
                    deleteTree(p);
                } else if (Files.isRegularFile(p) && AtomicFiles.isLeftoverOf(p, root.resolve("last"))) {
                    // the pointer's temporary file, left behind when a run was killed while writing it
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>();
            s.forEach(all::add);
            for (int i = all.size() - 1; i >= 0; i--) {
                Files.deleteIfExists(all.get(i));
            }
        }
    }

    private static void appendLine(Path file, String line) throws IOException {
        String old = Files.exists(file) ? Files.readString(file) : "";
        AtomicFiles.writeString(file, old + line + "\n");
    }

    private static void truncateMetrics(Path file, int epochs) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            int e = JsonParser.parseString(line).getAsJsonObject().get("epoch").getAsInt();
            if (e <= epochs) {
                kept.append(line).append('\n');
            }
        }
        AtomicFiles.writeString(file, kept.toString());
    }
}
