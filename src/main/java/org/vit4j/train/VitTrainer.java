package org.vit4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.vit4j.compiled.HeapReuse;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
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
 * <p>As tribuo's {@code Trainer.train(dataset)} returns a model, {@link #train} returns the trained
 * model ({@link TrainResult}: its directory, its last validation and its typed
 * {@link TrainingProvenance}, which is saved beside the weights), and records the run in
 * {@code train.json} ({@link RunRecord}, with the machine's {@link Provenance}). {@link #resume}
 * continues a run by the rules of {@link ResumableRun}.
 *
 * <p>Runs are deterministic: the same options, data and seed on the same machine give
 * bit-identical metrics and weights, and {@link #resume} continues from the last checkpoint with the
 * same schedule, data order and random streams as an uninterrupted run. A
 * non-finite loss or gradient stops training with a {@link TrainingDivergedException} before it
 * reaches the weights.
 *
 * <p>On a CPU the compiled step computes each batch in parts at once ({@link
 * CompiledTrainStep#shards}): for the run, libtorch's intra-op threads are set to 1 and set back
 * afterwards. That setting is the process's, so other libtorch work running beside a training run
 * in the same JVM runs on one intra-op thread meanwhile.
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
     * The native memory a step's images are copied into, reused from step to step: DJL's {@code
     * create(float[])} allocates (and zero-fills) a fresh direct buffer per call, which the
     * garbage collector frees late (8 MiB per fashion-small batch). The step's tensor reads this
     * memory and is closed with the step's manager before the next step writes it.
     */
    private ByteBuffer batchBuffer;

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
     * Trains a new run: a model of this trainer's config, initialized from the seed (or from
     * {@link #optInit}), trained for {@link TrainOptions#epochs()} epochs. Writes the run's files
     * ({@link RunDirectory}): {@code train.json} first, then per epoch a metrics line, the best
     * model and a checkpoint.
     *
     * @param train training images
     * @param val validation images (may be empty: then the last epoch is kept as best)
     * @param out the run directory; empty or new unless {@link #optOverwrite}
     * @return the trained model's directory and the last epoch's validation
     * @throws IllegalArgumentException if {@code out} is not empty
     * @throws IOException if reading data or writing the run's files fails
     */
    public TrainResult train(ImageDataset train, ImageDataset val, Path out) throws IOException {
        RunDirectory run = RunDirectory.of(out);
        if (overwrite) {
            run.clearRun();
        } else {
            run.requireEmpty();
        }
        Files.createDirectories(out);
        return run(train, val, run, null);
    }

    /**
     * Continues the run in {@code dir} from its last checkpoint, by the rules of
     * {@link ResumableRun}: this trainer's config must be the checkpoint's and its options the
     * run's, but for a raised number of epochs (the cosine schedule is then recomputed for the new
     * length, and {@code train.json} records the extension). The schedule, data order and random
     * streams continue as in an uninterrupted run. {@link #optInit} is not read.
     *
     * @param train the run's training images
     * @param val the run's validation images
     * @param dir the run directory
     * @return the trained model's directory and the last epoch's validation; no epoch run when
     *     all were done (the listener is told)
     * @throws IllegalArgumentException if {@code dir} holds no checkpoint, or the options differ
     * @throws IOException if the run's files cannot be read or written, or the model differs
     */
    public TrainResult resume(ImageDataset train, ImageDataset val, Path dir) throws IOException {
        ResumableRun from = ResumableRun.open(dir);
        from.requireOptions(options);
        if (!from.config().equals(config)) {
            throw new IOException(from.checkpoint() + ": checkpoint config differs from the requested model");
        }
        if (from.state().epochsDone() >= options.epochs()) {
            listener.log(dir + ": all " + from.state().epochsDone() + " epochs are done; nothing to do"
                    + " (raise the number of epochs to train longer)");
            return new TrainResult(dir, null, 0, TrainingProvenance.read(ModelFiles.of(dir)));
        }
        return run(train, val, from.run(), from);
    }

    /**
     * {@link #resume} when {@code resume} is true, else {@link #train(ImageDataset, ImageDataset, Path)}:
     * for callers that take the choice as a flag (a command line's {@code --resume}).
     *
     * @param train training images
     * @param val validation images
     * @param dir the run directory
     * @param resume whether to continue the run in {@code dir}
     * @return the trained model's directory and the last epoch's validation
     * @throws IOException if reading data or the run's files, or writing them, fails
     */
    public TrainResult train(ImageDataset train, ImageDataset val, Path dir, boolean resume) throws IOException {
        return resume ? resume(train, val, dir) : train(train, val, dir);
    }

    /** Trains from a fresh start ({@code from} null) or from a run's checkpoint, to the last epoch. */
    private TrainResult run(ImageDataset train, ImageDataset val, RunDirectory run, ResumableRun from)
            throws IOException {
        HeapReuse.apply(); // both engines: a step's activations and gradients stay in the heap between steps
        Engine.getEngine("PyTorch");
        int shards = options.engine() == ForwardEngine.COMPILED ? CompiledTrainStep.shards(config, device) : 1;
        int threads = JniUtils.getNumThreads();
        if (shards > 1) {
            // each part of a batch on its own thread; set back after the run (explicitly: libtorch's
            // own default cannot be restored once set)
            JniUtils.setNumThreads(1);
        }
        try (VitModel model = VitModel.create(config, train.labels(), device, options.seed());
                CompiledTrainStep compiled = compile(model, shards)) {
            AdamW opt = new AdamW(model.getBlock().namedParameters(), model.getModel().getNDManager(),
                    options.weightDecay());
            int startEpoch = 0;
            double bestAcc = -1;
            RunRecord record;
            if (from != null) {
                record = restore(from, model, opt);
                startEpoch = from.state().epochsDone();
                bestAcc = from.state().bestValAccuracy();
            } else {
                record = start(model, train, val, run, compiled == null ? 1 : compiled.getShards());
            }
            TrainingProvenance saved = from == null ? null : TrainingProvenance.read(ModelFiles.of(run.path()));
            int stepsPerEpoch = (train.size() + options.batchSize() - 1) / options.batchSize();
            LrSchedule schedule = new LrSchedule(options.lr(), options.minLr(),
                    Math.round(options.warmupEpochs() * stepsPerEpoch), (long) stepsPerEpoch * options.epochs());
            EvalResult last = null;
            for (int epoch = startEpoch; epoch < options.epochs(); epoch++) {
                EpochTrained done = trainEpoch(model, compiled, opt, train, epoch, stepsPerEpoch, schedule);
                last = validate(model, val, epoch, stepsPerEpoch);
                int skippedThisEpoch = done.skipped() + (last == null ? 0 : last.skipped().size());
                boolean best = last == null || last.accuracy() > bestAcc;
                if (best) {
                    bestAcc = last == null ? bestAcc : last.accuracy();
                    model.save(run.path());
                    saved = TrainingProvenance.of(record, epoch + 1, last == null ? null : last.accuracy());
                    saved.write(run.path());
                }
                long steps = (long) (epoch + 1) * stepsPerEpoch;
                EpochMetrics metrics = new EpochMetrics(epoch + 1, steps, schedule.at(steps - 1),
                        done.lossSum() / done.seen(), (double) done.correct() / done.seen(),
                        last == null ? null : last.loss(), last == null ? null : last.accuracy(),
                        best, done.seen() / done.seconds(), done.seconds(), skippedThisEpoch);
                // metrics first: a kill between the two leaves a line that resume truncates and rewrites;
                // the other order could leave a checkpoint whose epoch has no line
                run.appendMetrics(metrics);
                run.saveCheckpoint(model, opt, new RunDirectory.State(epoch + 1, opt.steps(), bestAcc));
                listener.onEpoch(metrics.toJson());
            }
            return new TrainResult(run.path(), last, options.epochs() - startEpoch, saved);
        } finally {
            if (shards > 1) {
                JniUtils.setNumThreads(threads);
            }
        }
    }

    /** The compiled training step of the model (in {@code shards} parts per batch), or null for the eager blocks. */
    private CompiledTrainStep compile(VitModel model, int shards) {
        return options.engine() == ForwardEngine.COMPILED
                ? CompiledTrainStep.compile(model.getBlock(),
                        new Precision.Choice(options.precision(), "the run's options"), shards,
                        model.getModel().getNDManager())
                : null;
    }

    /**
     * A new run's start: the initial weights if {@link #optInit} gave some, {@code train.json},
     * no metrics yet; returns the run's record.
     */
    private RunRecord start(VitModel model, ImageDataset train, ImageDataset val, RunDirectory run, int shards)
            throws IOException {
        RunRecord.InitialWeights from = null;
        if (init != null) {
            if (!init.labels().equals(train.labels())) {
                throw new IOException(initSource + ": its labels " + init.labels()
                        + " differ from the training data's " + train.labels());
            }
            model.loadWeights(init.weights(), initSource);
            from = new RunRecord.InitialWeights(initSource, ModelDirectory.sha256(init.weights()));
            listener.log("starting from the weights in " + initSource);
        }
        RunRecord.Data data = new RunRecord.Data(dataSource, dataDir == null ? null : dataDir.toString(),
                train.describe(), train.size(), train.fingerprint(), val.describe(), val.size(), val.fingerprint());
        RunRecord record = new RunRecord(options, from, data, Provenance.current(device, shards), null);
        run.writeRecord(record);
        run.deleteMetrics();
        return record;
    }

    /**
     * A resumed run's start: the extension of its epochs recorded, the checkpoint's weights and
     * optimizer state loaded, the metrics of later epochs dropped; returns the run's record.
     */
    private RunRecord restore(ResumableRun from, VitModel model, AdamW opt) throws IOException {
        int startEpoch = from.state().epochsDone();
        int before = from.options().epochs();
        RunRecord record = from.record();
        if (options.epochs() != before) {
            record = record.extend(startEpoch, options.epochs());
            from.run().writeRecord(record);
            listener.log("extending the run from " + before + " to " + options.epochs()
                    + " epochs: the cosine schedule is recomputed for the new length");
        }
        Path ckpt = from.checkpoint();
        model.loadWeights(ModelDirectory.read(ModelFiles.of(ckpt)).weights(), ckpt.toString());
        opt.loadState(Files.readAllBytes(ckpt.resolve("optimizer.safetensors")),
                model.getModel().getNDManager(), ckpt.toString());
        from.run().truncateMetrics(startEpoch);
        listener.log("resuming " + ckpt + " after epoch " + startEpoch + " of " + options.epochs());
        return record;
    }

    /** What one pass over the training images did. */
    private record EpochTrained(double lossSum, long correct, int seen, int skipped, double seconds) {}

    /** One pass over the training images in the epoch's order, one optimizer step per batch. */
    private EpochTrained trainEpoch(VitModel model, CompiledTrainStep compiled, AdamW opt, ImageDataset train,
            int epoch, int stepsPerEpoch, LrSchedule schedule) throws IOException {
        Engine engine = Engine.getEngine("PyTorch");
        long t0 = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        int batch = 0;
        int skippedImages = 0;
        try (BatchLoader loader = new BatchLoader(train, epochOrder(train.size(), epoch), options.batchSize(),
                config.preprocessor(), options.augment(), options.seed(), epoch + 1L, null)) {
            while (true) {
                long wait = System.nanoTime();
                if (!loader.hasNext()) {
                    break;
                }
                BatchLoader.Batch b = loader.next();
                listener.onBatchWait((System.nanoTime() - wait) / 1e9);
                skippedImages += skip(b.skipped());
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
            throw new IOException("no training image could be read (" + skippedImages + " skipped)");
        }
        return new EpochTrained(lossSum, correct, seen, skippedImages, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The model on the validation images after an epoch, or null without any; unreadable images
     * are told to the listener.
     *
     * @throws TrainingDivergedException if the validation loss or accuracy is not finite
     */
    private EvalResult validate(VitModel model, ImageDataset val, int epoch, int stepsPerEpoch) throws IOException {
        if (val.size() == 0) {
            return null;
        }
        EvalResult r = Evaluator.evaluate(model, val, 256, null, options.seed(), null);
        skip(r.skipped());
        if (!(Double.isFinite(r.loss()) && Double.isFinite(r.accuracy()))) {
            throw new TrainingDivergedException(epoch + 1, (long) (epoch + 1) * stepsPerEpoch,
                    "validation loss " + r.loss());
        }
        return r;
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

    /**
     * One optimizer step, the forward and backward by the compiled program or, when it is null,
     * the eager blocks; returns {mean loss, correct count}.
     *
     * @throws TrainingDivergedException if the loss or the gradient norm is not finite
     */
    private double[] step(VitModel model, CompiledTrainStep compiled, AdamW opt, Engine engine, BatchLoader.Batch b, double lr,
            int epoch, long stepNumber) {
        int k = config.architecture().numClasses();
        try (NDScope scope = new NDScope(); NDManager m = model.newManager()) {
            scope.suppressNotUsedWarning();
            int n = b.images().length;
            if (batchBuffer == null || batchBuffer.capacity() < 4 * n) {
                batchBuffer = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
            }
            batchBuffer.clear().limit(4 * n);
            batchBuffer.asFloatBuffer().put(b.images(), 0, n);
            NDArray x = m.create(batchBuffer, new Shape(b.size(), b.channels(), b.height(), b.width()), DataType.FLOAT32);
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
            double norm;
            long[] pred;
            if (compiled != null) {
                // forward, backward, clipping and AdamW in one call of the program
                CompiledTrainStep.StepResult r = compiled.step(x, y, opt, lr, options.clipGrad());
                loss = r.loss();
                norm = r.gradientNorm();
                pred = r.predictions();
            } else {
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray logits = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), true).get(0);
                    NDArray l = logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean(); // (B, K) -> ()
                    gc.backward(l);
                    loss = l.getFloat();
                    pred = logits.argMax(1).toLongArray();
                }
                norm = Double.isFinite(loss) ? opt.gradNorm() : Double.NaN;
            }
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException(epoch, stepNumber, "loss " + loss);
            }
            if (!Double.isFinite(norm)) {
                throw new TrainingDivergedException(epoch, stepNumber, "gradient norm " + norm);
            }
            if (compiled == null) {
                double scale = options.clipGrad() > 0 && norm > options.clipGrad() ? options.clipGrad() / norm : 1.0;
                opt.step(lr, scale);
            }
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
