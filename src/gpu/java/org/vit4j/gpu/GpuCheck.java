package org.vit4j.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.vit4j.compiled.CompiledVit;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.infer.BundledModel;
import org.vit4j.interop.CheckpointImporter;
import org.vit4j.interop.Source;
import org.vit4j.io.Npy;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/**
 * vit4j on a target device checked against the CPU, and timed: the program {@code src/gpu/run.sh}
 * runs on a CUDA machine. Every model is built on the CPU and copied, weight for weight, to the
 * target; the same input goes through both.
 *
 * <ul>
 *   <li>forward: the bundled model, a timm fixture ({@code timm_cls}), a RoPE fixture ({@code dinov3})
 *       and ViT-B/16 at 224 (random weights, seed 0); eager fp32, compiled fp32 (max |target - cpu|
 *       at most 1e-3) and compiled bf16 (target's top-1 class equals the CPU bf16 top-1 for every image);
 *   <li>training: one SGD step (lr 0.1, softmax cross-entropy, no dropout) of a small model on a batch of
 *       8: the loss and every parameter after the step within 1e-4 of the CPU's;
 *   <li>timing (with {@code --seconds > 0}): ViT-B/16 at 224, compiled fp32 and bf16, batch 1 and 128,
 *       images/s on the target.
 * </ul>
 *
 * <p>Usage: {@code GpuCheck --fixtures DIR --out FILE.json [--target gpu|cpu] [--seconds S]
 * [--only forward,train,time]
 * [--models bundled,timm_cls,dinov3,vit_b16_224] [--batches 1,128]}. With {@code --target cpu} it compares the CPU with itself: the
 * rehearsal on a machine without a GPU. Each part that fails is recorded with its error and the
 * others still run; the exit code is 0 only when every check passed.
 */
public final class GpuCheck {

    /** fp32 tolerance of logits, target against CPU. */
    static final double FP32_TOLERANCE = 1e-3;
    /** Tolerance of the loss and the parameters after one training step. */
    static final double TRAIN_TOLERANCE = 1e-4;

    private final Path fixtures;
    private final Device target;
    private final Map<String, Object> report = new LinkedHashMap<>();
    private boolean allPassed = true;
    private List<String> models;
    private String[] batches;

    private GpuCheck(Path fixtures, Device target) {
        this.fixtures = fixtures;
        this.target = target;
    }

    /**
     * Runs the checks and writes the JSON report.
     *
     * @param args see the class Javadoc
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        Path fixtures = Path.of(a.getOrDefault("fixtures", "src/test/resources"));
        Path out = Path.of(a.getOrDefault("out", "gpu-check.json"));
        String targetName = a.getOrDefault("target", "gpu");
        double seconds = Double.parseDouble(a.getOrDefault("seconds", "0"));
        String only = a.getOrDefault("only", "forward,train,time");
        GpuCheck check = new GpuCheck(fixtures, "cpu".equals(targetName) ? Device.cpu() : Device.gpu());
        check.batches = a.getOrDefault("batches", "1,128").split(",");
        check.models = List.of(a.getOrDefault("models", "bundled,timm_cls,dinov3,vit_b16_224").split(","));
        int code = check.run(only, seconds, out);
        System.exit(code);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        return a;
    }

    private int run(String only, double seconds, Path out) throws IOException {
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            e.printStackTrace();
            fail("environment", "DJL's PyTorch engine did not load: " + e);
            write(out);
            return 1;
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("target", target.toString());
        env.put("engine_version", engine.getVersion());
        env.put("gpu_count", engine.getGpuCount());
        env.put("java", System.getProperty("java.version"));
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("environment", env);
        if (target.isGpu() && engine.getGpuCount() == 0) {
            fail("environment", "the PyTorch engine sees no GPU");
            write(out);
            return 1;
        }
        if (only.contains("forward")) {
            List<Object> forward = new ArrayList<>();
            report.put("forward", forward);
            Path timm = fixtures.resolve("interop");
            guarded("forward bundled", () -> addIf(forward, "bundled",
                    () -> forward("bundled", bundled(), randomImages(4, 1))));
            guarded("forward timm_cls", () -> addIf(forward, "timm_cls",
                    () -> forward("timm_cls", timmCls(), Input.of(Npy.read(timm.resolve("input_24x24.npy"))))));
            guarded("forward dinov3", () -> addIf(forward, "dinov3",
                    () -> forward("dinov3", dinov3(), Input.of(Npy.read(timm.resolve("timm/input_32x32.npy"))))));
            guarded("forward vit_b16_224", () -> addIf(forward, "vit_b16_224",
                    () -> forward("vit_b16_224", vitB16(), randomImages(8, 2))));
        }
        if (only.contains("train")) {
            guarded("train", () -> report.put("train", trainStep()));
        }
        if (only.contains("time") && seconds > 0) {
            guarded("time", () -> report.put("time", time(seconds)));
        }
        report.put("passed", allPassed);
        write(out);
        return allPassed ? 0 : 1;
    }

    /** A row of the report that may throw. */
    private interface Row {
        Map<String, Object> make() throws Exception;
    }

    private void addIf(List<Object> rows, String model, Row row) throws Exception {
        if (models.contains(model)) {
            rows.add(row.make());
        }
    }

    /** A part of the check that may throw. */
    private interface Part {
        void run() throws Exception;
    }

    private void guarded(String name, Part part) {
        System.err.println("gpu-check: " + name);
        try {
            part.run();
        } catch (Exception | Error e) {
            e.printStackTrace();
            fail(name, e.toString());
        }
    }

    @SuppressWarnings("unchecked")
    private void fail(String where, String message) {
        allPassed = false;
        ((List<Object>) report.computeIfAbsent("errors", k -> new ArrayList<>()))
                .add(Map.of("where", where, "error", message));
    }

    private void write(Path out) throws IOException {
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues()
                .create().toJson(report) + "\n", StandardCharsets.UTF_8);
    }

    // ---- models, all on the CPU; the target copy is made by onTarget ----

    private static VitModel bundled() throws IOException {
        return VitModel.load(BundledModel.files(), Device.cpu());
    }

    private VitModel timmCls() throws IOException {
        return CheckpointImporter.builder().setSource(Source.TIMM)
                .setWeights(fixtures.resolve("interop/timm_cls.safetensors")).optHeads(2).build()
                .toModel(Device.cpu());
    }

    private VitModel dinov3() throws IOException {
        return CheckpointImporter.builder().setSource(Source.TIMM)
                .setWeights(fixtures.resolve("interop/timm/dinov3.safetensors"))
                .optSourceConfig(fixtures.resolve("interop/timm/dinov3_config.json")).build()
                .toModel(Device.cpu());
    }

    private static VitModel vitB16() {
        ViTConfig config = Variant.BASE.toBuilder().build();
        return VitModel.create(config, labels(config.architecture().numClasses()), Device.cpu(), 0);
    }

    private static List<String> labels(int n) {
        List<String> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            labels.add("c" + i);
        }
        return labels;
    }

    private VitModel onTarget(VitModel cpu) throws IOException {
        VitModel copy = VitModel.create(cpu.getConfig(), cpu.getLabels(), target, 0);
        copy.loadWeights(cpu.weightsAsSafetensors(), "cpu model");
        return copy;
    }

    /**
     * The input of a check: a fixture's images, or {@code batch} standard-normal images of the model's
     * size drawn with {@code seed}.
     */
    private record Input(Npy.Array fixture, int batch, long seed) {
        static Input of(Npy.Array fixture) {
            return new Input(fixture, 0, 0);
        }
    }

    private static Input randomImages(int batch, long seed) {
        return new Input(null, batch, seed);
    }

    private static float[] pixels(ViTConfig config, Input spec, long[] shapeOut) {
        if (spec.fixture() != null) {
            System.arraycopy(spec.fixture().shape(), 0, shapeOut, 0, 4);
            return spec.fixture().data();
        }
        long[] s = VitModel.inputShape(config, spec.batch()).getShape();
        System.arraycopy(s, 0, shapeOut, 0, 4);
        Random r = new Random(spec.seed());
        float[] x = new float[(int) (s[0] * s[1] * s[2] * s[3])];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    // ---- forward ----

    private Map<String, Object> forward(String name, VitModel cpu, Input input) throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", name);
        long[] shape = new long[4];
        try (cpu; VitModel dev = onTarget(cpu)) {
            float[] x = pixels(cpu.getConfig(), input, shape);
            row.put("input_shape", shape.clone());
            List<Object> runs = new ArrayList<>();
            row.put("runs", runs);
            runs.add(compare(name, cpu, dev, x, shape, ForwardEngine.EAGER, Precision.FP32));
            runs.add(compare(name, cpu, dev, x, shape, ForwardEngine.COMPILED, Precision.FP32));
            runs.add(compare(name, cpu, dev, x, shape, ForwardEngine.COMPILED, Precision.BF16));
        }
        System.err.println("gpu-check: " + row);
        return row;
    }

    private Map<String, Object> compare(String name, VitModel cpu, VitModel dev, float[] x, long[] shape,
            ForwardEngine engine, Precision precision) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("engine", engine.cliName());
        run.put("precision", precision.cliName());
        String unsupported = engine == ForwardEngine.COMPILED ? CompiledVit.unsupported(cpu.getConfig()) : null;
        if (unsupported != null) {
            // the eager blocks would run instead: fp32 is still compared (as the fallback), bf16 cannot run
            run.put("compiled_unsupported", unsupported);
            if (precision == Precision.BF16) {
                run.put("skipped", "bf16 needs the compiled forward");
                return run;
            }
        }
        try {
            float[] want = logits(cpu, x, shape, engine, precision, run, "cpu_forward");
            float[] got = logits(dev, x, shape, engine, precision, run, "target_forward");
            int classes = (int) (want.length / shape[0]);
            double diff = maxAbsDiff(want, got);
            int agree = 0;
            for (int b = 0; b < shape[0]; b++) {
                if (argmax(want, b * classes, classes) == argmax(got, b * classes, classes)) {
                    agree++;
                }
            }
            run.put("max_abs_diff", diff);
            run.put("top1_agree", agree + "/" + shape[0]);
            boolean passed = precision == Precision.FP32 ? diff <= FP32_TOLERANCE : agree == shape[0];
            run.put("passed", passed);
            if (!passed) {
                fail("forward " + name + " " + engine.cliName() + " " + precision.cliName(),
                        "max |target - cpu| = " + diff + ", top-1 agree " + agree + "/" + shape[0]);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            run.put("error", e.toString());
            fail("forward " + name + " " + engine.cliName() + " " + precision.cliName(), e.toString());
        }
        return run;
    }

    private static float[] logits(VitModel model, float[] x, long[] shape, ForwardEngine engine,
            Precision precision, Map<String, Object> run, String what) {
        try (InferenceForward f = engine == ForwardEngine.EAGER ? InferenceForward.eager(model)
                        : InferenceForward.of(model, engine, precision);
                NDManager m = model.newManager()) {
            run.put(what, f.describe());
            return f.forward(m.create(x, new Shape(shape))).get(0).toFloatArray();
        }
    }

    private static int argmax(float[] v, int from, int n) {
        int best = from;
        for (int i = from + 1; i < from + n; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best - from;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    // ---- one training step ----

    private Map<String, Object> trainStep() throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(64).setDepth(2).setHeads(4).setNumClasses(10).optDropout(0).optDropPath(0).build();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", "width 64, depth 2, heads 4, 32x32, patch 8, 10 classes");
        long[] shape = new long[4];
        float[] x = pixels(config, randomImages(8, 3), shape);
        float[] y = new float[8];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 10;
        }
        try (VitModel cpu = VitModel.create(config, labels(10), Device.cpu(), 7); VitModel dev = onTarget(cpu)) {
            float want = step(cpu, x, shape, y);
            float got = step(dev, x, shape, y);
            double paramDiff = 0;
            ParameterList a = cpu.getBlock().getParameters();
            ParameterList b = dev.getBlock().getParameters();
            for (int i = 0; i < a.size(); i++) {
                paramDiff = Math.max(paramDiff, maxAbsDiff(a.get(i).getValue().getArray().toFloatArray(),
                        b.get(i).getValue().getArray().toFloatArray()));
            }
            double lossDiff = Math.abs((double) want - got);
            row.put("cpu_loss", want);
            row.put("target_loss", got);
            row.put("loss_abs_diff", lossDiff);
            row.put("param_max_abs_diff_after_step", paramDiff);
            boolean passed = lossDiff <= TRAIN_TOLERANCE && paramDiff <= TRAIN_TOLERANCE;
            row.put("passed", passed);
            if (!passed) {
                fail("train", "loss diff " + lossDiff + ", parameter diff " + paramDiff);
            }
        }
        System.err.println("gpu-check: " + row);
        return row;
    }

    /** One forward, backward and SGD update; returns the loss. */
    private static float step(VitModel model, float[] x, long[] shape, float[] y) {
        DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build())
                .optDevices(new Device[] {model.getDevice()});
        try (Trainer trainer = model.getModel().newTrainer(tc); NDManager m = model.newManager()) {
            float loss;
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList pred = trainer.forward(new NDList(m.create(x, new Shape(shape))));
                NDArray l = trainer.getLoss().evaluate(new NDList(m.create(y)), new NDList(pred.get(0)));
                gc.backward(l);
                loss = l.getFloat();
            }
            trainer.step();
            return loss;
        }
    }

    // ---- timing ----

    private List<Object> time(double seconds) throws IOException {
        List<Object> rows = new ArrayList<>();
        try (VitModel cpu = vitB16(); VitModel dev = onTarget(cpu)) {
            for (Precision p : new Precision[] {Precision.FP32, Precision.BF16}) {
                for (String b : batches) {
                    int batch = Integer.parseInt(b);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("model", "vit_b16_224");
                    row.put("engine", "compiled");
                    row.put("precision", p.cliName());
                    row.put("batch", batch);
                    try (InferenceForward f = InferenceForward.of(dev, ForwardEngine.COMPILED, p);
                            NDManager m = dev.newManager()) {
                        NDArray images = m.randomNormal(VitModel.inputShape(dev.getConfig(), batch));
                        for (int i = 0; i < 5; i++) {
                            run(f, images);
                        }
                        long start = System.nanoTime();
                        long n = 0;
                        while (System.nanoTime() - start < seconds * 1e9) {
                            run(f, images);
                            n += batch;
                        }
                        double s = (System.nanoTime() - start) / 1e9;
                        row.put("images_per_second", n / s);
                        row.put("timed_seconds", s);
                    } catch (RuntimeException e) {
                        e.printStackTrace();
                        row.put("error", e.toString());
                        fail("time " + p.cliName() + " batch " + batch, e.toString());
                    }
                    System.err.println("gpu-check: " + row);
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** One forward, waited for: reading the logits back synchronizes with the device. */
    private static void run(InferenceForward f, NDArray images) {
        try (NDManager sub = images.getManager().newSubManager()) {
            NDList out = f.forward(images);
            out.attach(sub);
            out.get(0).toFloatArray();
        }
    }
}
