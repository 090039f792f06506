package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * Training runs on 64 tiny images: the metrics file, reproducibility from the seed, and a resumed
 * run that ends exactly where the uninterrupted one does.
 */
class VitTrainerTest {

    /** MICRO with dropout and stochastic depth on, so the engine's random stream matters. */
    private static final ViTConfig CONFIG =
            Variant.MICRO.toBuilder().setDepth(2).optDropout(0.1).optDropPath(0.1).build();

    /** 2 epochs of batch 16, warm-up 1 epoch, crops, flips and scrambling half of the images. */
    private static final TrainOptions OPTIONS =
            TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(2e-3).optMinLr(1e-5).optWeightDecay(0.05).optWarmupEpochs(1).optLabelSmoothing(0.1).optClipGrad(1.0).optSeed(7).optValSize(0).optCropMinScale(0.8).optHflip(true).optScramble(0.5, "2x2").build();

    private static final Set<String> TIMING = Set.of("images_per_s", "epoch_seconds");

    @TempDir
    Path tmp;

    private FashionMnist train;
    private FashionMnist val;

    @BeforeEach
    void data() throws IOException {
        TinyFashion.write(tmp.resolve("data"), 64, 32);
        train = FashionMnist.load(tmp.resolve("data"), true);
        val = FashionMnist.load(tmp.resolve("data"), false);
    }

    private TrainResult run(Path out, TrainOptions options, boolean resume, TrainingListener listener)
            throws IOException {
        VitTrainer trainer = new VitTrainer(CONFIG, options, Device.cpu(), listener);
        TrainResult r = resume ? trainer.resume(train, val, out) : trainer.train(train, val, out);
        assertEquals(out, r.modelDirectory());
        return r;
    }

    private static List<JsonObject> metrics(Path out) throws IOException {
        List<JsonObject> lines = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            lines.add(JsonParser.parseString(l).getAsJsonObject());
        }
        return lines;
    }

    /** The metrics without the timing fields. */
    private static List<JsonObject> untimed(Path out) throws IOException {
        List<JsonObject> lines = metrics(out);
        for (JsonObject o : lines) {
            TIMING.forEach(o::remove);
        }
        return lines;
    }

    /** Asserts two runs' metrics are bit-identical (up to the wall-clock fields). */
    private static void assertSameRun(List<JsonObject> want, List<JsonObject> got) {
        assertEquals(want, got);
    }

    /** Mean |a - b| over every weight of two safetensors files with the same tensors. */
    private static double meanAbsDiff(Path a, Path b) throws IOException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDList la = NDList.decode(m, Files.readAllBytes(a));
            NDList lb = NDList.decode(m, Files.readAllBytes(b));
            assertEquals(la.size(), lb.size());
            double sum = 0;
            long n = 0;
            for (int i = 0; i < la.size(); i++) {
                assertEquals(la.get(i).getName(), lb.get(i).getName());
                sum += la.get(i).sub(lb.get(i)).abs().sum().toType(DataType.FLOAT64, false).getDouble();
                n += la.get(i).size();
            }
            return sum / n;
        }
    }

    /** The same weights up to last-bit noise (an update of lr = 1e-12); another run moves them by ~lr = 2e-3. */
    private static void assertNearlySameWeights(Path a, Path b) throws IOException {
        double d = meanAbsDiff(a, b);
        assertTrue(d < 1e-5, "mean |a - b| of " + a.getFileName() + " = " + d);
    }

    /** The same weights, bit for bit. */
    private static void assertSameWeights(Path a, Path b) throws IOException {
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), a + " vs " + b);
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void twoEpochsWriteMetricsCheckpointAndTheBestModel() throws IOException {
        Path out = tmp.resolve("run");
        List<String> epochLines = new ArrayList<>();
        int[] steps = new int[1];
        TrainResult result = run(out, OPTIONS, false, new TrainingListener() {
            @Override
            public void onStep(int epoch, int batch, int batches, double loss, double imagesPerSecond) {
                assertEquals(4, batches);
                steps[0]++;
            }

            @Override
            public void onEpoch(String metricsJson) {
                epochLines.add(metricsJson);
            }
        });
        assertEquals(8, steps[0]);
        assertEquals(2, result.epochsRun());
        EvalResult last = result.validation();
        assertEquals(32, last.total());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(epochLines, lines);
        List<JsonObject> m = metrics(out);
        assertEquals(2, m.size());
        LrSchedule schedule = new LrSchedule(2e-3, 1e-5, 4, 8);
        for (int e = 0; e < 2; e++) {
            JsonObject o = m.get(e);
            assertEquals(Set.of("epoch", "step", "lr", "train_loss", "train_accuracy", "val_loss",
                    "val_accuracy", "best", "images_per_s", "epoch_seconds", "skipped"), o.keySet());
            assertEquals(0, o.get("skipped").getAsInt(), "every image read");
            assertEquals(e + 1, o.get("epoch").getAsInt());
            assertEquals(4 * (e + 1), o.get("step").getAsInt());
            assertEquals(schedule.at(4L * (e + 1) - 1), o.get("lr").getAsDouble(), 1e-9);
            double loss = o.get("train_loss").getAsDouble();
            assertTrue(loss > 0 && loss < 10, "train_loss " + loss);
            double acc = o.get("val_accuracy").getAsDouble();
            assertTrue(acc >= 0 && acc <= 1);
            assertTrue(o.get("images_per_s").getAsDouble() > 0);
        }
        assertEquals(1e-5, m.get(1).get("lr").getAsDouble(), 1e-12); // the last step ends at minLr
        assertEquals(m.get(1).get("val_accuracy").getAsDouble(), last.accuracy(), 1e-5);
        assertTrue(m.get(0).get("best").getAsBoolean(), "the first epoch is always the best so far");

        assertEquals(OPTIONS, TrainOptions.fromJson(Files.readString(out.resolve("train.json"))));
        RunRecord record = RunDirectory.of(out).readRecord();
        assertEquals(OPTIONS, record.options());
        assertNull(record.init());
        assertEquals(List.of(), record.extended());
        assertEquals(new RunRecord.Data(null, null, train.describe(), 64, train.fingerprint(), val.describe(), 32,
                val.fingerprint()), record.data());
        assertEquals(Device.cpu().toString(), record.provenance().device());
        assertEquals("2.7.1", record.provenance().libtorch());
        assertTrue(record.provenance().threads() > 0, record.provenance().toString());
        assertEquals(record.toJson() + "\n", Files.readString(out.resolve("train.json")), "one form, read and written");
        assertEquals("epoch-0002", Files.readString(out.resolve("checkpoints/last")).strip());
        Path ckpt = RunDirectory.of(out).lastCheckpoint();
        assertNotNull(ckpt);
        assertTrue(Files.isRegularFile(ckpt.resolve("optimizer.safetensors")));
        JsonObject state = JsonParser.parseString(Files.readString(ckpt.resolve("state.json"))).getAsJsonObject();
        assertEquals(2, state.get("epochsDone").getAsInt());
        assertEquals(8, state.get("steps").getAsInt());
        try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
            assertEquals(Set.of("epoch-0002", "last"),
                    Set.copyOf(s.map(p -> p.getFileName().toString()).toList()), "older checkpoints are removed");
        }
        // OUT holds the best epoch's model: evaluating it reproduces the best validation accuracy
        double best = Math.max(m.get(0).get("val_accuracy").getAsDouble(), m.get(1).get("val_accuracy").getAsDouble());
        try (VitModel model = VitModel.load(out, Device.cpu())) {
            assertEquals(CONFIG, model.getConfig());
            assertEquals(best, Evaluator.evaluate(model, val, 256, null, 0, null).accuracy(), 1e-5);
        }
    }

    @Test
    void sameSeedGivesTheSameRunAndAResumedRunEndsTheSame() throws IOException {
        Path a = tmp.resolve("a");
        Path backup = tmp.resolve("after-epoch-1");
        run(a, OPTIONS, false, new TrainingListener() {
            @Override
            public void onEpoch(String metricsJson) {
                if (metricsJson.startsWith("{\"epoch\":1,")) {
                    copyTree(a, backup); // the state a kill after epoch 1 would leave
                }
            }
        });
        Path b = tmp.resolve("b");
        run(b, OPTIONS, false, null);
        assertSameRun(untimed(a), untimed(b));
        assertSameWeights(a.resolve(ModelDirectory.WEIGHTS), b.resolve(ModelDirectory.WEIGHTS));
        assertSameWeights(a.resolve("checkpoints/epoch-0002/" + ModelDirectory.WEIGHTS),
                b.resolve("checkpoints/epoch-0002/" + ModelDirectory.WEIGHTS));

        // another seed is another run
        Path other = tmp.resolve("other");
        TrainOptions seed8 = TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(2e-3).optMinLr(1e-5).optWeightDecay(0.05).optWarmupEpochs(1).optLabelSmoothing(0.1).optClipGrad(1.0).optSeed(8).optValSize(0).optCropMinScale(0.8).optHflip(true).optScramble(0.5, "2x2").build();
        new VitTrainer(CONFIG, seed8, Device.cpu(), null).train(train, val, other);
        assertNotEquals(untimed(a), untimed(other), "seed 8 gave the metrics of seed 7");
        double otherDiff = meanAbsDiff(a.resolve("checkpoints/epoch-0002/" + ModelDirectory.WEIGHTS),
                other.resolve("checkpoints/epoch-0002/" + ModelDirectory.WEIGHTS));
        assertTrue(otherDiff > 1e-3, "seed 7 and 8 weights differ by only " + otherDiff);

        // resume from the copy taken after epoch 1
        assertEquals(1, metrics(backup).size());
        assertEquals("epoch-0001", Files.readString(backup.resolve("checkpoints/last")).strip());
        Path c = tmp.resolve("c");
        copyTree(backup, c);
        List<String> logs = new ArrayList<>();
        run(c, OPTIONS, true, new TrainingListener() {
            @Override
            public void log(String message) {
                logs.add(message);
            }
        });
        assertTrue(logs.stream().anyMatch(l -> l.contains("after epoch 1")), logs.toString());
        assertSameRun(untimed(a), untimed(c));
        assertSameWeights(a.resolve(ModelDirectory.WEIGHTS), c.resolve(ModelDirectory.WEIGHTS));
        assertSameWeights(a.resolve("checkpoints/epoch-0002/" + ModelDirectory.WEIGHTS),
                c.resolve("checkpoints/epoch-0002/" + ModelDirectory.WEIGHTS));
        assertSameWeights(a.resolve("checkpoints/epoch-0002/optimizer.safetensors"),
                c.resolve("checkpoints/epoch-0002/optimizer.safetensors"));
        assertEquals(Files.readString(a.resolve("checkpoints/epoch-0002/state.json")),
                Files.readString(c.resolve("checkpoints/epoch-0002/state.json")));
    }

    @Test
    void aCheckpointPointerLeftHalfWrittenByAKillIsCleanedUp() throws IOException {
        Path out = tmp.resolve("stale");
        TrainOptions one = TrainOptions.builder().optEpochs(1).optBatchSize(32).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).build();
        run(out, one, false, null);
        Path checkpoints = out.resolve("checkpoints");
        // what AtomicFiles leaves when the process dies between writing and renaming "last"
        Files.writeString(checkpoints.resolve(".last.4029120423698008551.tmp"), "epoch-00");
        run(out, one.toBuilder().optEpochs(2).build(), true, null);
        try (Stream<Path> s = Files.list(checkpoints)) {
            assertEquals(List.of("epoch-0002", "last"), s.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void resumeNamesTheDifferingOptionsAndRefusesAMissingCheckpoint() throws IOException {
        Path out = tmp.resolve("once");
        TrainOptions one = TrainOptions.builder().optEpochs(1).optBatchSize(32).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).build();
        run(out, one, false, null);
        TrainOptions faster = one.toBuilder().optLr(2e-3).optSeed(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(out, faster, true, null));
        assertEquals(out + ": the run was started with other options (lr: 0.001 vs 0.002; seed: 1 vs 3,"
                + " as run vs as asked); resume with the run's own", e.getMessage());
        Path empty = tmp.resolve("empty");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> run(empty, one, true, null));
        assertEquals(empty + ": no checkpoint to resume from (not a training run)", none.getMessage());
        Files.delete(out.resolve("checkpoints/last"));
        IllegalArgumentException lost = assertThrows(IllegalArgumentException.class, () -> run(out, one, true, null));
        assertEquals(out + ": no checkpoint to resume from (checkpoints/last missing)", lost.getMessage());
    }

    @Test
    void resumeSaysWhenThereIsNothingLeftAndMayRaiseTheEpochs() throws IOException {
        Path out = tmp.resolve("done");
        TrainOptions one = TrainOptions.builder().optEpochs(1).optBatchSize(32).optWarmupEpochs(0).optSeed(1).optValSize(0).build();
        run(out, one, false, null);
        String metricsBefore = Files.readString(out.resolve("metrics.jsonl"));
        List<String> logs = new ArrayList<>();
        TrainingListener log = new TrainingListener() {
            @Override
            public void log(String message) {
                logs.add(message);
            }
        };
        TrainResult nothing = run(out, one, true, log);
        assertEquals(0, nothing.epochsRun());
        assertNull(nothing.validation());
        assertEquals(List.of(out + ": all 1 epochs are done; nothing to do (raise the number of epochs to train longer)"), logs);
        assertEquals(metricsBefore, Files.readString(out.resolve("metrics.jsonl")), "nothing was rewritten");
        IllegalArgumentException lower = assertThrows(IllegalArgumentException.class,
                () -> run(out, one.toBuilder().optEpochs(2).build(), false, null));
        assertTrue(lower.getMessage().startsWith(out + " is not empty ("), lower.getMessage());

        logs.clear();
        TrainResult more = run(out, one.toBuilder().optEpochs(3).build(), true, log);
        assertEquals(2, more.epochsRun());
        assertNotNull(more.validation());
        assertTrue(logs.contains("extending the run from 1 to 3 epochs: the cosine schedule is recomputed for the new length"), logs.toString());
        assertEquals(List.of(1, 2, 3), metrics(out).stream().map(o -> o.get("epoch").getAsInt()).toList());
        assertEquals(metricsBefore, Files.readAllLines(out.resolve("metrics.jsonl")).get(0) + "\n");
        JsonObject record = JsonParser.parseString(Files.readString(out.resolve("train.json"))).getAsJsonObject();
        assertEquals(3, record.get("epochs").getAsInt());
        assertEquals("[{\"after_epoch\":1,\"epochs_before\":1,\"epochs\":3}]", record.get("extended").toString());
        assertEquals("epoch-0003", Files.readString(out.resolve("checkpoints/last")).strip());
        // and a run cannot be shortened
        IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
                () -> run(out, one.toBuilder().optEpochs(2).build(), true, null));
        assertEquals(out + ": the run has 3 epochs; resuming can raise the number of epochs, not lower it (asked 2)",
                shorter.getMessage());
    }

    @Test
    void aNewRunRefusesANonEmptyDirectoryUnlessAllowedToOverwrite() throws IOException {
        Path out = tmp.resolve("taken");
        TrainOptions one = TrainOptions.builder().optEpochs(1).optBatchSize(32).optWarmupEpochs(0).optSeed(1).optValSize(0).build();
        run(out, one.toBuilder().optEpochs(2).build(), false, null);
        String weights = ModelDirectory.sha256(Files.readAllBytes(out.resolve(ModelDirectory.WEIGHTS)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(out, one, false, null));
        assertEquals(out + " is not empty (checkpoints, checksums.sha256, config.json, labels.txt, ...); it holds a training run",
                e.getMessage());
        assertEquals(weights, ModelDirectory.sha256(Files.readAllBytes(out.resolve(ModelDirectory.WEIGHTS))), "untouched");
        assertEquals(2, metrics(out).size(), "untouched");
        new VitTrainer(CONFIG, one, Device.cpu(), null).optOverwrite(true).train(train, val, out);
        assertEquals(1, metrics(out).size());
        assertEquals("epoch-0001", Files.readString(out.resolve("checkpoints/last")).strip());
    }

    @Test
    void aDivergingRunStopsBeforeTheWeightsAndSavesNothing() throws IOException {
        Path out = tmp.resolve("diverged");
        // no clipping and a huge learning rate: after the first update the activations overflow
        TrainOptions wild = TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(1e30).optMinLr(0)
                .optWarmupEpochs(0).optClipGrad(0).optSeed(1).optValSize(0).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> run(out, wild, false, null));
        assertEquals(1, e.epoch());
        assertTrue(e.step() >= 2, "the first step starts from finite weights: " + e.step());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1 at step " + e.step() + " ("), e.getMessage());
        assertTrue(e.getMessage().contains("nothing of this epoch was saved"), e.getMessage());
        assertFalse(Files.exists(out.resolve(ModelDirectory.WEIGHTS)), "no model saved");
        assertFalse(Files.exists(out.resolve("metrics.jsonl")), "no metrics line");
        assertNull(RunDirectory.of(out).lastCheckpoint(), "no checkpoint");
    }

    @Test
    void repeatedRunsAreBitIdenticalAndMetricsAreStrictJson() throws IOException {
        TrainOptions opts = OPTIONS.toBuilder().optEpochs(1).build();
        List<List<JsonObject>> runs = new ArrayList<>();
        List<String> weights = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path out = tmp.resolve("repeat" + i);
            // no validation set: val_loss and val_accuracy are null, never NaN
            new VitTrainer(CONFIG, opts, Device.cpu(), null).train(train, Subset.split(train, 0, 1)[1], out);
            String text = Files.readString(out.resolve("metrics.jsonl"));
            assertFalse(text.contains("NaN"), text);
            JsonObject line = new com.google.gson.Gson().getAdapter(JsonObject.class).fromJson(text.strip());
            assertTrue(line.get("val_loss").isJsonNull(), text);
            assertTrue(line.get("val_accuracy").isJsonNull(), text);
            runs.add(untimed(out));
            weights.add(ModelDirectory.sha256(Files.readAllBytes(out.resolve("checkpoints/epoch-0001/" + ModelDirectory.WEIGHTS))));
            System.gc(); // a collection between runs must not matter either
        }
        assertEquals(runs.get(0), runs.get(1));
        assertEquals(runs.get(0), runs.get(2));
        assertEquals(List.of(weights.get(0), weights.get(0), weights.get(0)), weights);
    }

    @ParameterizedTest
    @CsvSource({"EAGER, FP32", "COMPILED, BF16"})
    void theEagerEngineAndBf16RerunBitIdenticallyToo(ForwardEngine engine, Precision precision) throws IOException {
        TrainOptions opts = OPTIONS.toBuilder().optEpochs(1).optEngine(engine).optPrecision(precision).build();
        List<List<JsonObject>> runs = new ArrayList<>();
        List<String> weights = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve("repeat" + i);
            new VitTrainer(CONFIG, opts, Device.cpu(), null).train(train, Subset.split(train, 0, 1)[1], out);
            runs.add(untimed(out));
            assertTrue(Double.isFinite(runs.get(i).get(0).get("train_loss").getAsDouble()), runs.get(i).toString());
            weights.add(ModelDirectory.sha256(Files.readAllBytes(out.resolve("checkpoints/epoch-0001/" + ModelDirectory.WEIGHTS))));
        }
        assertEquals(runs.get(0), runs.get(1));
        assertEquals(weights.get(0), weights.get(1));
        assertEquals(opts, TrainOptions.fromJson(Files.readString(tmp.resolve("repeat0/train.json"))));
    }

    @Test
    void aDivergingEagerRunStopsBeforeTheWeightsToo() {
        Path out = tmp.resolve("diverged-eager");
        TrainOptions wild = TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(1e30).optMinLr(0)
                .optWarmupEpochs(0).optClipGrad(0).optSeed(1).optValSize(0).optEngine(ForwardEngine.EAGER).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> run(out, wild, false, null));
        assertTrue(e.getMessage().contains("nothing of this epoch was saved"), e.getMessage());
        assertFalse(Files.exists(out.resolve(ModelDirectory.WEIGHTS)), "no model saved");
    }

    @Test
    void optionsFromBeforeTheCompiledStepMeanEagerFp32() {
        String older = OPTIONS.toJson().replaceAll(",\\s*\"engine\": \"COMPILED\"", "")
                .replaceAll(",\\s*\"precision\": \"FP32\"", "");
        assertFalse(older.contains("engine"), older);
        assertEquals(OPTIONS.toBuilder().optEngine(ForwardEngine.EAGER).build(), TrainOptions.fromJson(older));
        assertEquals("precision auto: must be resolved to fp32 or bf16 first", assertThrows(IllegalArgumentException.class,
                () -> OPTIONS.toBuilder().optPrecision(Precision.AUTO).build()).getMessage());
    }

    @Test
    void initStartsFromTheSavedWeightsAndRecordsThem() throws IOException {
        Path first = tmp.resolve("first");
        run(first, TrainOptions.builder().optEpochs(1).optBatchSize(32).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).build(), false, null);
        // A second stage with a learning rate too small to move anything ends where it started.
        Path second = tmp.resolve("second");
        TrainOptions still = TrainOptions.builder().optEpochs(1).optBatchSize(32).optLr(1e-12).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).build();
        new VitTrainer(CONFIG, still, Device.cpu(), null).optInit(first).train(train, val, second);
        assertNearlySameWeights(first.resolve(ModelDirectory.WEIGHTS), second.resolve(ModelDirectory.WEIGHTS));
        // The same stage from the seed's random init ends elsewhere: the test can tell.
        Path fresh = tmp.resolve("fresh");
        run(fresh, still, false, null);
        assertTrue(meanAbsDiff(first.resolve(ModelDirectory.WEIGHTS), fresh.resolve(ModelDirectory.WEIGHTS)) > 1e-4);
        JsonObject init = JsonParser.parseString(Files.readString(second.resolve("train.json")))
                .getAsJsonObject().getAsJsonObject("init");
        assertEquals(first.toString(), init.get("dir").getAsString());
        assertEquals(ModelDirectory.sha256(Files.readAllBytes(first.resolve(ModelDirectory.WEIGHTS))),
                init.get("weights_sha256").getAsString());
        // train.json keeps parsing as the options, so the second stage can itself be resumed.
        assertEquals(still, TrainOptions.fromJson(Files.readString(second.resolve("train.json"))));
    }

    @Test
    void initRefusesAnotherArchitectureOrOtherLabels() throws IOException {
        Path wide = tmp.resolve("wide");
        ViTConfig other = CONFIG.toBuilder().setDepth(1).build();
        try (VitModel m = VitModel.create(other, train.labels(), Device.cpu(), 1)) {
            m.save(wide);
        }
        IOException arch = assertThrows(IOException.class,
                () -> new VitTrainer(CONFIG, OPTIONS, Device.cpu(), null).optInit(wide));
        assertTrue(arch.getMessage().startsWith(wide + ": its config differs from the model to train"), arch.getMessage());
        Path relabelled = tmp.resolve("relabelled");
        List<String> labels = new ArrayList<>(train.labels());
        labels.set(0, "something else");
        try (VitModel m = VitModel.create(CONFIG, labels, Device.cpu(), 1)) {
            m.save(relabelled);
        }
        VitTrainer trainer = new VitTrainer(CONFIG, OPTIONS, Device.cpu(), null).optInit(relabelled);
        IOException lab = assertThrows(IOException.class, () -> trainer.train(train, val, tmp.resolve("x")));
        assertTrue(lab.getMessage().startsWith(relabelled + ": its labels [something else"), lab.getMessage());
        assertTrue(lab.getMessage().contains("differ from the training data's"), lab.getMessage());
    }

    @Test
    void optionsRefuseBadNumbersAndRoundTrip() {
        assertEquals(OPTIONS, TrainOptions.fromJson(OPTIONS.toJson()));
        assertEquals("warmupEpochs 3.0: must be at most the number of epochs, 2", assertThrows(org.vit4j.InvalidOptionException.class,
                () -> TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(3).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).build()).getMessage());
        assertEquals("batchSize 0: must be at least 1", assertThrows(org.vit4j.InvalidOptionException.class,
                () -> TrainOptions.builder().optEpochs(2).optBatchSize(0).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).build()).getMessage());
        assertEquals("scrambleGrid 3y3: shuffle grid '3y3' is not of the form RxC, e.g. 4x4", assertThrows(org.vit4j.InvalidOptionException.class,
                () -> TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0.5, "3y3").build()).getMessage());
        assertEquals("randomErase -0.1: must be a number from 0 to 1", assertThrows(org.vit4j.InvalidOptionException.class,
                () -> TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).optRandomErase(-0.1).build()).getMessage());
        TrainOptions erasing = TrainOptions.builder().optEpochs(2).optBatchSize(16).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).optRandomErase(0.25).build();
        assertEquals(erasing, TrainOptions.fromJson(erasing.toJson()));
        assertEquals(0.25, erasing.augment().eraseProb());
        // train.json written before random erasing existed reads as "no erasing", so such runs still resume
        String older = OPTIONS.toJson().replaceAll(",\\s*\"randomErase\": 0\\.0", "");
        assertFalse(older.contains("randomErase"), older);
        assertEquals(OPTIONS, TrainOptions.fromJson(older));
    }

    @Test
    void initMayChangeTheTrainingOnlyRatesButNothingElse() throws IOException {
        Path first = tmp.resolve("first");
        run(first, TrainOptions.builder().optEpochs(1).optBatchSize(32).optLr(1e-3).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).build(), false, null);
        ViTConfig regularized = CONFIG.toBuilder().optDropPath(0.1).optDropout(0.1).build();
        Path second = tmp.resolve("second");
        TrainOptions still = TrainOptions.builder().optEpochs(1).optBatchSize(32).optLr(1e-12).optMinLr(0).optWeightDecay(0).optWarmupEpochs(0).optLabelSmoothing(0).optClipGrad(0).optSeed(1).optValSize(0).optCropMinScale(0).optHflip(false).optScramble(0, null).build();
        new VitTrainer(regularized, still, Device.cpu(), null).optInit(first).train(train, val, second);
        assertNearlySameWeights(first.resolve(ModelDirectory.WEIGHTS), second.resolve(ModelDirectory.WEIGHTS));
        assertEquals(regularized, ModelDirectory.readConfig(second), "the second stage records its own rates");
    }
}
