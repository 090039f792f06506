package org.vit4j.cli;

import ai.djl.Device;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.vit4j.io.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.vit4j.train.DataSets;
import org.vit4j.bench.OperatorProfile;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.HeapReuse;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.LinearKernel;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.bench.ForwardBenchmark;
import org.vit4j.bench.SoakBenchmark;
import org.vit4j.bench.TrainBenchmark;
import org.vit4j.compiled.Precision;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.VitClassifier;
import org.vit4j.interop.Labels;
import org.vit4j.io.OutputFile;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.train.CompiledTrainStep;
import org.vit4j.train.ImageDataset;
import org.vit4j.train.TrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j bench}: model forward throughput (a benchmark, not a test). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure forward throughput (images/s, median of timed passes) of a model or a variant with random weights.")
final class BenchCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin ForwardOptions forward;

    @Mixin BatchPartsOption batchParts;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: --variant).")
    Path model;

    @Option(names = "--variant", defaultValue = "tiny", paramLabel = "NAME", description = "Variant with random weights when no --model (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--pos-emb", paramLabel = "KIND", completionCandidates = Converters.PositionKindNames.class,
            description = "Position embedding of the --variant model: ${COMPLETION-CANDIDATES}, or a rotary and an absolute"
                    + " kind joined by + (rope-mixed+learned) (default: learned).")
    String posEmb;

    @Option(names = "--image-size", paramLabel = "S|HxW", description = "Input size (default: the model's).")
    Converters.ImageSize imageSize;

    @Option(names = "--batch-size", defaultValue = "1", paramLabel = "B", converter = Converters.PositiveInt.class, description = "Images per pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "T", converter = Converters.PositiveDouble.class, description = "Measuring time (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--linear-kernel", defaultValue = "auto", paramLabel = "onednn|aten|auto", converter = LinearKernelName.class,
            description = "Linear kernel of the compiled forward: oneDNN on weights packed at load (GELU and residual adds"
                    + " fused), aten::linear, or auto: onednn where this CPU runs oneDNN's kernels for the precision"
                    + " (default: ${DEFAULT-VALUE}).")
    LinearKernel linear;

    /** The former name of --linear-kernel, refused with a pointer to it. */
    @Option(names = "--linear", hidden = true, paramLabel = "KERNEL")
    String formerLinear;

    @Option(names = "--warmup-max", defaultValue = "60", paramLabel = "T", converter = Converters.PositiveDouble.class,
            description = "Longest warm-up in seconds: passes at the measured shape run until their times settle"
                    + " (median of the last 3 within 5 %% of the 3 before), at most this long (default: ${DEFAULT-VALUE}).")
    double warmupMax;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Also profile passes with libtorch's profiler after the measurement: write the Chrome trace to"
                    + " FILE and print the top operators by self time (stderr).")
    Path profile;

    @Option(names = "--force", description = "Replace an existing --profile file.")
    boolean force;

    @Option(names = "--profile-passes", defaultValue = "5", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Passes profiled by --profile (default: ${DEFAULT-VALUE}).")
    int profilePasses;

    @Option(names = "--matmul", description = "Also measure the engine's fp32 2048^3 matrix-multiply GFLOP/s.")
    boolean matmul;

    @Option(names = "--train", paramLabel = "fashion-mnist|DIR",
            description = "Measure training throughput (forward, backward, AdamW) on this data instead, with train's default options and --engine/--precision.")
    String train;

    @Option(names = "--soak", paramLabel = "N", converter = Converters.PositiveLong.class,
            description = "Soak: N single-image predictions of the sample images through VitClassifier, RSS sampled every 1000.")
    Long soak;

    @Option(names = "--soak-images", defaultValue = "sample-images", paramLabel = "DIR", description = "Images for --soak (default: ${DEFAULT-VALUE}).")
    Path soakImages;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", converter = EvalCommand.FormatName.class,
            description = "Output format (default: ${DEFAULT-VALUE}).")
    EvalCommand.Format format;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        // the trace goes through the output rules, checked before any work (never an input, an
        // existing file only with --force, a missing directory refused, not created)
        OutputFile trace = profile == null ? null : Usage.outputFile(spec, "--profile", profile, force, modelFiles());
        Device device = common.device();
        if (train != null) {
            return trainBenchmark(device, trace);
        }
        if (soak != null) {
            return soakBenchmark(device);
        }
        VitModel m;
        if (model != null) {
            m = common.loadModel(model, device);
        } else {
            ViTConfig cfg = variantConfig(false);
            List<String> labels = Labels.defaults(cfg.architecture().numClasses());
            m = VitModel.create(cfg, labels, device, 0);
        }
        try (m; InferenceForward f = forward.open(m, linear, batchParts.value())) {
            int h = m.getConfig().architecture().imageHeight();
            int w = m.getConfig().architecture().imageWidth();
            if (imageSize != null) {
                h = imageSize.height();
                w = imageSize.width();
            }
            ForwardBenchmark.Result r = ForwardBenchmark.forward(f, h, w, batchSize, seconds, warmupMax);
            Double peak = matmul ? ForwardBenchmark.matmulGflops(m.getModel().getNDManager(), 2048, Math.min(seconds, 5)) : null;
            print(m, f, r, h, w, peak);
            if (trace != null) {
                int fh = h;
                int fw = w;
                List<OperatorProfile.Row> rows = profiled(trace,
                        t -> ForwardBenchmark.profile(f, fh, fw, batchSize, profilePasses, warmupMax, t));
                PrintWriter err = spec.commandLine().getErr();
                err.printf(Locale.ROOT, "libtorch trace of %d passes written to %s; operators by self time per pass:%n%s",
                        profilePasses, trace, OperatorProfile.table(rows, 15, profilePasses));
                err.flush();
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    /** Refuses options that do not go together, before any model is built. */
    private void checkOptions() throws java.io.IOException, ModelLoadFailure {
        if (formerLinear != null) {
            throw Usage.error(spec, "--linear " + formerLinear + ": now called --linear-kernel");
        }
        if (soak != null && soak < SOAK_EVERY) {
            throw Usage.error(spec, "--soak " + soak + ": needs at least " + SOAK_EVERY + " predictions (RSS is sampled every "
                    + SOAK_EVERY + ")");
        }
        if (train != null && soak != null) {
            throw Usage.error(spec, "--train and --soak are two different benchmarks: give one");
        }
        if (soak == null && spec.commandLine().getParseResult().hasMatchedOption("--soak-images")) {
            throw Usage.error(spec, "--soak-images needs --soak");
        }
        if (soak != null && profile != null) {
            throw Usage.error(spec, "--profile profiles the forward or --train benchmark; --soak has no passes to profile");
        }
        if (soak != null) {
            String problem = soakImagesProblem(soakImages);
            if (problem != null) {
                throw Usage.error(spec, "--soak-images " + soakImages + ": " + problem);
            }
        }
        if (train != null && DataSets.problem(train) != null) {
            throw Usage.error(spec, "--train " + train + ": " + DataSets.problem(train));
        }
        if (model == null) {
            try {
                Variant.fromName(variant);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--variant " + variant + ": " + Converters.validOnly(e));
            }
            if (posEmb != null) {
                try {
                    variantConfig(false);
                } catch (IllegalArgumentException e) {
                    throw Usage.error(spec, "--pos-emb " + posEmb + ": " + e.getMessage());
                }
            }
        } else if (posEmb != null) {
            throw Usage.error(spec, "--pos-emb sets the position embedding of a --variant model; --model " + model
                    + " has its own: drop --pos-emb");
        }
        if (imageSize != null && train == null && soak == null) {
            // the weights are not needed to know the patch size: the config, or the variant's
            int p = (model != null ? common.readConfig(model) : variantConfig(false)).architecture().patchSize();
            if (imageSize.height() % p != 0 || imageSize.width() % p != 0) {
                throw Usage.error(spec, "--image-size " + imageSize + ": not a multiple of the model's patch size " + p);
            }
        }
    }

    /** The forward benchmark's result: one JSON object, or two lines of text. */
    private void print(VitModel m, InferenceForward f, ForwardBenchmark.Result r, int h, int w, Double peak) {
        String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
        CpuFeatures cpu = CpuFeatures.current();
        if (format == EvalCommand.Format.JSON) {
            JsonObject o = new JsonObject();
            o.addProperty("model", model == null ? variant : model.toString());
            o.addProperty("pos_emb", m.getConfig().architecture().positionName()); // of the model measured
            o.addProperty("image_size", h + "x" + w);
            Json.put(o, "images_per_s", r.imagesPerSecond());
            o.addProperty("batch_size", r.batchSize());
            o.addProperty("device", r.device());
            o.addProperty("engine", f.engine().cliName());
            o.addProperty("engine_reason", f.reason());
            o.addProperty("precision", f.precision().precision().cliName());
            o.addProperty("precision_reason", f.precision().reason());
            o.addProperty("passes", r.passes());
            Json.put(o, "gflops_per_image", r.gflopsPerImage());
            Json.put(o, "achieved_gflops", r.gflops());
            o.addProperty("threads", threads);
            o.addProperty("linear_kernels", f.describeLinearKernels());
            o.addProperty("batch_parts", f.batchParts(r.batchSize())); // the parts each measured pass ran in
            o.addProperty("batch_parts_reason", f.describeBatchParts());
            o.addProperty("warmup_passes", r.warmUp().seconds().size());
            o.addProperty("warmup_settled", r.warmUp().settled());
            Json.put(o, "minor_faults_per_pass", r.minorFaultsPerPass());
            o.addProperty("allocator", HeapReuse.apply());
            o.addProperty("cpu", cpu.model());
            o.addProperty("cpu_family", cpu.family());
            o.addProperty("cpu_flags", cpu.summary());
            if (peak != null) {
                Json.put(o, "matmul_gflops", peak);
                Json.put(o, "share_of_matmul_peak", r.gflops() / peak);
            }
            spec.commandLine().getOut().println(Json.line(o));
        } else {
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "%s %dx%d batch %d on %s (%s, threads %s): %.1f images/s (median of %d passes), %.2f GFLOP/image = %.1f GFLOP/s%s%n",
                    label(), h, w, r.batchSize(), r.device(), f.describe(), threads, r.imagesPerSecond(), r.passes(),
                    r.gflopsPerImage(), r.gflops(),
                    peak == null ? "" : String.format(Locale.ROOT, "; matmul peak %.0f GFLOP/s, share %.0f%%", peak, 100 * r.gflops() / peak));
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "  linear kernels: %s%n  batch parts: %d per pass; %s%n  warm-up: %s; minor page faults per pass: %.0f;"
                            + " allocator: %s%n  CPU: %s, family %s; %s%n",
                    f.describeLinearKernels(), f.batchParts(r.batchSize()), f.describeBatchParts(), r.warmUp(), r.minorFaultsPerPass(), HeapReuse.apply(), cpu.model(), cpu.family(), cpu.summary());
        }
    }

    /** @return the model directory, or the variant and its {@code --pos-emb} */
    private String label() {
        return model != null ? model.toString() : variant + (posEmb == null ? "" : " --pos-emb " + posEmb);
    }

    /**
     * The {@code --variant} model's config with {@code --pos-emb}, where given.
     *
     * @param training the variant as vit4j trains it (average pooling, no class token) rather than as published
     * @return the config
     * @throws IllegalArgumentException for an unknown {@code --pos-emb}
     */
    private ViTConfig variantConfig(boolean training) {
        Variant v = Variant.fromName(variant);
        ViTConfigBuilder b = training ? v.toTrainingBuilder() : v.toBuilder();
        if (posEmb != null) {
            b.optPosEmb(posEmb);
        }
        return b.build();
    }

    /** {@code onednn}, {@code aten} or {@code auto}. */
    static final class LinearKernelName extends Converters.Names<LinearKernel> {
        LinearKernelName() {
            super(LinearKernel.class);
        }
    }

    /** What runs with the profiler on: writes libtorch's trace to the file it is given and returns the operators. */
    @FunctionalInterface
    private interface Profiled {
        List<OperatorProfile.Row> run(Path trace) throws Exception;
    }

    /**
     * Profiles into a temporary file (libtorch writes where it is told), then copies the trace to
     * the checked output ({@link OutputFile#write}: atomically, or in place for a stream).
     */
    private static List<OperatorProfile.Row> profiled(OutputFile out, Profiled what) throws Exception {
        Path tmp = Files.createTempFile("vit4j-trace-", ".json");
        try {
            List<OperatorProfile.Row> rows = what.run(tmp);
            out.write(os -> Files.copy(tmp, os), System.out);
            return rows;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The model directory's files, for the output rules (a --variant has none). */
    private List<Path> modelFiles() throws java.io.IOException {
        if (model == null || !Files.isDirectory(model)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(model)) {
            return s.toList();
        }
    }

    /** Why a --soak-images directory holds nothing to predict, or null. */
    private static String soakImagesProblem(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return "no such directory";
        }
        if (!Files.isDirectory(dir)) {
            return "not a directory";
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(ImageLoader::isImageFile) ? null : ImageLoader.NO_IMAGE_FILES;
        }
    }

    /** RSS sampling interval of the soak, in predictions. */
    private static final int SOAK_EVERY = 1000;

    /** RSS samples of the soak's warm-up: growth is measured from the last of them to the end. */
    private static final int SOAK_WARMUP_SAMPLES = 5;

    private int trainBenchmark(Device device, OutputFile trace) throws Exception {
        ViTConfig cfg = model != null ? ModelDirectory.readConfig(model)
                : variantConfig(true);
        ImageDataset data = DataSets.open(train, null, cfg.architecture().channels(), true);
        int b = batchSize == 1 ? 128 : batchSize;
        // the bundled model's recipe (the defaults), one epoch, no validation hold-out
        Precision.Choice precision = forward.precision().resolve(device, CpuFeatures.current());
        TrainOptions opts = TrainOptions.builder().optEpochs(1).optBatchSize(b).optWarmupEpochs(0).optValSize(0)
                .optEngine(forward.engine()).optPrecision(precision.precision()).build();
        ViTConfig withClasses = cfg.toBuilder().setNumClasses(data.labels().size()).build();
        TrainBenchmark.Result[] measured = new TrainBenchmark.Result[1];
        List<OperatorProfile.Row> profileRows = trace == null ? null : profiled(trace, t -> {
            measured[0] = TrainBenchmark.measure(withClasses, opts, device, data, 5, seconds, t, profilePasses);
            return OperatorProfile.read(t);
        });
        TrainBenchmark.Result r = trace == null
                ? TrainBenchmark.measure(withClasses, opts, device, data, 5, seconds, null, 0)
                : measured[0];
        double ips = r.imagesPerSecond();
        String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
        int shards = forward.engine() == ForwardEngine.COMPILED ? CompiledTrainStep.shards(cfg, device) : 1;
        if (format == EvalCommand.Format.JSON) {
            JsonObject o = new JsonObject();
            o.addProperty("model", model == null ? variant : model.toString());
            o.addProperty("pos_emb", cfg.architecture().positionName()); // of the model measured
            o.addProperty("mode", "train");
            Json.put(o, "images_per_s", ips);
            o.addProperty("batch_size", b);
            o.addProperty("device", device.toString());
            o.addProperty("engine", forward.engine().cliName());
            o.addProperty("precision", precision.precision().cliName());
            o.addProperty("threads", threads);
            o.addProperty("batch_shards", shards);
            Json.put(o, "data_wait_share", r.dataWaitShare());
            if (!Double.isNaN(r.loaderCpuShare())) {
                Json.put(o, "loader_cpu_share", r.loaderCpuShare());
                Json.put(o, "step_cpu_ms_per_image", r.stepCpuMsPerImage());
            }
            spec.commandLine().getOut().println(Json.line(o));
        } else {
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "train %s batch %d on %s (%s, %s, threads %s, batch shards %d): %.1f images/s; waiting for data"
                            + " %.1f%%, loader thread %.1f%% of the CPU time; steps %.3f CPU ms per image%n",
                    label(), b, device, forward.engine().cliName(), precision, threads, shards, ips,
                    100 * r.dataWaitShare(), 100 * r.loaderCpuShare(), r.stepCpuMsPerImage());
        }
        if (trace != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "libtorch trace of %d training steps written to %s; operators by self time per step:%n%s",
                    profilePasses, trace, OperatorProfile.table(profileRows, 25, profilePasses));
            err.flush();
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    private int soakBenchmark(Device device) throws Exception {
        try (InferenceModel loaded = forward.load(common.loadModel(model, device), batchParts.value());
                Stream<Path> files = Files.list(soakImages)) {
            VitClassifier clf = loaded.classifier();
            List<PreprocessedImage> images = new ArrayList<>();
            for (Path f : files.filter(ImageLoader::isImageFile).sorted().toList()) {
                images.add(loaded.preprocess(f));
            }
            if (images.isEmpty()) {
                throw new IllegalArgumentException("--soak-images " + soakImages + ": no images");
            }
            PrintWriter err = spec.commandLine().getErr();
            int[] k = {0};
            SoakBenchmark.Result r = SoakBenchmark.run(clf, images, soak, SOAK_EVERY, kb -> {
                if (!common.quiet) {
                    err.printf(Locale.ROOT, "soak: %d predictions, RSS %.1f MiB%n", 1000L * ++k[0], kb / 1024.0);
                    err.flush();
                }
            });
            JsonObject o = new JsonObject();
            o.addProperty("mode", "soak");
            o.addProperty("predictions", r.predictions());
            Json.put(o, "images_per_s", r.predictions() / r.seconds());
            OptionalDouble growth = r.growthAfter(SOAK_WARMUP_SAMPLES);
            if (growth.isPresent()) {
                Json.put(o, "rss_mib_after_warmup", r.rssKb().get(SOAK_WARMUP_SAMPLES - 1) / 1024.0);
            } else {
                o.add("rss_mib_after_warmup", JsonNull.INSTANCE);
            }
            Json.put(o, "rss_mib_end", r.rssKb().get(r.rssKb().size() - 1) / 1024.0);
            Json.put(o, "rss_mib_max", r.rssKb().stream().mapToLong(Long::longValue).max().orElse(0) / 1024.0);
            if (growth.isPresent()) {
                Json.put(o, "growth_after_warmup", growth.getAsDouble());
            } else {
                // null with the reason: JSON has no NaN, and a soak within its warm-up has no growth to measure
                o.add("growth_after_warmup", JsonNull.INSTANCE);
                o.addProperty("growth_after_warmup_reason", "a soak of " + r.predictions() + " predictions ends within the "
                        + SOAK_WARMUP_SAMPLES * SOAK_EVERY + "-prediction warm-up; growth needs --soak "
                        + (SOAK_WARMUP_SAMPLES + 1) * SOAK_EVERY + " or more");
            }
            o.add("rss_kib_every_1000", Json.tree(r.rssKb()));
            spec.commandLine().getOut().println(Json.line(o));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
