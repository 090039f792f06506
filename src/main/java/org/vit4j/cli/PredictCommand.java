package org.vit4j.cli;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.Classification;
import org.vit4j.infer.Prediction;
import org.vit4j.infer.TensorInput;
import org.vit4j.infer.VitClassifier;
import org.vit4j.image.SizingPolicy;
import org.vit4j.io.OutputFile;
import org.vit4j.model.VitModel;
import org.vit4j.model.ViTConfig;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vit4j predict}: per-image predictions. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify images (files, directories searched recursively, or - for paths on stdin).")
final class PredictCommand implements Callable<Integer> {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin PixelLimit pixelLimit;

    @Mixin ForwardOptions forward;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled Fashion-MNIST model).")
    Path model;

    @Option(names = "--top-k", defaultValue = "3", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "Classes listed per image; more than the model has lists them all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json|csv", converter = FormatName.class,
            description = "Output format (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--scramble", description = "Shuffle each image's blocks before classifying it.")
    boolean scramble;

    @Option(names = "--scramble-grid", paramLabel = "RxC", description = "Shuffle grid (default: the model's patch grid).")
    ShuffleGrid scrambleGrid;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the scrambling permutations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--logits", description = "Also print the raw logits (a LOGITS column in table and csv, a logits array in json).")
    boolean logits;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the results to FILE (atomically, when all are done) instead of stdout;"
            + " a FIFO or device is written as a stream, a link through to its target.")
    Path outFile;

    @Option(names = "--force", description = "Replace an existing --out file.")
    boolean force;

    @Option(names = {"-0", "--null"}, description = "Paths on stdin (-) end with NUL, as find -print0 writes them.")
    boolean nulSeparated;

    /** Width of the table's path column: the longest path of the run. */
    private int pathWidth;

    /** Width of the table's label column: the model's longest label. */
    private int labelWidth;

    /** Top-k after clamping to the model's classes. */
    private int k;

    /** Wall-clock milestones for the --verbose cold-start breakdown. */
    private long tEngine;
    private long tModel;
    private long tFirstBatch;

    @Option(names = "--tensor", paramLabel = "FILE.npy", converter = Converters.ExistingFile.class,
            description = "A preprocessed float32 (B, C, H, W) array instead of images.")
    Path tensor;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Image files, directories, or - (paths on stdin).")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        long tCommand = System.currentTimeMillis();
        if ((tensor == null) == paths.isEmpty()) {
            throw Usage.error(spec, "give image PATHs or --tensor FILE.npy (one of the two)");
        }
        if (!scramble && scrambleGrid != null) {
            throw Usage.error(spec, "--scramble-grid needs --scramble");
        }
        if (nulSeparated && !paths.contains("-")) {
            throw Usage.error(spec, "-0 reads NUL-separated paths from stdin: give - among the PATHs");
        }
        // the inputs are listed before any work, so that an output among them is refused
        List<Inputs.Input> inputs = tensor != null ? List.of() : Inputs.expand(paths, System.in, nulSeparated);
        if (tensor == null && inputs.isEmpty()) {
            throw Usage.error(spec, "PATH -: no paths on standard input");
        }
        List<Path> read = new ArrayList<>();
        inputs.forEach(i -> read.add(i.path()));
        if (tensor != null) {
            read.add(tensor);
        }
        OutputFile target = outFile == null ? null : Usage.outputFile(spec, "--out", outFile, force, read);
        if (target != null && target.isStdout()) {
            target = null;
        }
        Device device = common.device();
        tEngine = System.currentTimeMillis();
        VitModel loaded = common.loadModel(model, device);
        try (VitClassifier clf = forward.classifier(loaded, pixelLimit.loader(loaded.getConfig().getChannels()))) {
            tModel = System.currentTimeMillis();
            ViTConfig cfg = clf.getModel().getConfig();
            k = Math.min(topK, cfg.getNumClasses());
            if (topK > k) {
                common.note("--top-k " + topK + " is more than the model's " + k + " classes: listing all " + k);
            }
            labelWidth = Text.widest(clf.getModel().getLabels(), "PREDICTION".length());
            ShuffleGrid grid = scramble
                    ? (scrambleGrid == null ? new ShuffleGrid(cfg.getGrid().rows(), cfg.getGrid().cols()) : scrambleGrid)
                    : null;
            if (grid != null && tensor == null && fixedSize(cfg)
                    && (cfg.getImageHeight() % grid.rows() != 0 || cfg.getImageWidth() % grid.cols() != 0)) {
                throw Usage.error(spec, "--scramble-grid " + grid + ": does not divide the model's "
                        + cfg.getImageHeight() + "x" + cfg.getImageWidth() + " input");
            }
            StringWriter buffer = target == null ? null : new StringWriter();
            PrintWriter out = buffer == null ? spec.commandLine().getOut() : new PrintWriter(buffer);
            boolean failed = tensor != null
                    ? predictTensor(clf, out, grid)
                    : predictImages(clf, out, grid, inputs);
            out.flush();
            if (buffer != null) {
                target.writeBytes(buffer.toString().getBytes(StandardCharsets.UTF_8), System.out);
            }
            if (common.verbose) {
                // cold-start breakdown: JVM start to command, engine load, model load, first batch, rest
                long jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
                long end = System.currentTimeMillis();
                if (tFirstBatch == 0) {
                    tFirstBatch = end; // nothing was classified
                }
                spec.commandLine().getErr().printf(Locale.ROOT,
                        "timing: JVM start to command %.2f s, engine %.2f s, model %.2f s, first batch %.2f s,"
                                + " rest %.2f s, total %.2f s%n",
                        (tCommand - jvm) / 1e3, (tEngine - tCommand) / 1e3, (tModel - tEngine) / 1e3,
                        (tFirstBatch - tModel) / 1e3, (end - tFirstBatch) / 1e3, (end - jvm) / 1e3);
            }
            return failed ? ExitCodes.SOME_FAILED : ExitCodes.OK;
        }
    }

    /** Whether every image reaches the model at the config's size (so a grid can be checked up front). */
    private static boolean fixedSize(ViTConfig cfg) {
        return cfg.getSizing() == SizingPolicy.RESIZE || cfg.getSizing() == SizingPolicy.RESIZE_CROP;
    }

    private boolean predictImages(VitClassifier clf, PrintWriter out, ShuffleGrid grid, List<Inputs.Input> inputs) {
        Format fmt = format;
        pathWidth = Text.widest(inputs.stream().map(Inputs.Input::name).toList(), 4);
        fmt.header(out, pathWidth, labelWidth, logits);
        Progress progress = new Progress(spec.commandLine().getErr(), common.quiet, "predict", inputs.size());
        boolean failed = false;
        for (int start = 0; start < inputs.size(); start += batchSize) {
            List<Inputs.Input> batch = inputs.subList(start, Math.min(inputs.size(), start + batchSize));
            Object[] pre = new Object[batch.size()];
            // decode and preprocess in parallel; each result is an image or an error message
            IntStream.range(0, batch.size()).parallel().forEach(i -> pre[i] = preprocess(clf, batch.get(i), grid, i));
            List<PreprocessedImage> good = new ArrayList<>();
            for (Object o : pre) {
                if (o instanceof PreprocessedImage) {
                    good.add((PreprocessedImage) o);
                }
            }
            List<Classification> results = clf.classify(good, k);
            int r = 0;
            for (int i = 0; i < batch.size(); i++) {
                if (pre[i] instanceof PreprocessedImage) {
                    fmt.result(out, pathWidth, labelWidth, batch.get(i).name(), results.get(r++), logits);
                } else {
                    failed = true;
                    fmt.error(out, pathWidth, batch.get(i).name(), (String) pre[i]);
                }
            }
            out.flush();
            if (start == 0) {
                tFirstBatch = System.currentTimeMillis();
            }
            progress.update(start + batch.size(), null);
        }
        progress.finish();
        return failed;
    }

    private Object preprocess(VitClassifier clf, Inputs.Input in, ShuffleGrid grid, int index) {
        if (in.error() != null) {
            return in.error();
        }
        try {
            PreprocessedImage p = clf.preprocess(in.path());
            if (grid != null) {
                // the seed of an image depends on its name, not its position, so batching changes nothing
                p = VitClassifier.scramble(p, grid, Scrambler.imageSeed(seed, in.name().hashCode()));
            }
            return p;
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            String prefix = in.path().toString() + ": ";
            return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
        } catch (OutOfMemoryError e) {
            return "not enough memory to decode this image";
        }
    }

    private boolean predictTensor(VitClassifier clf, PrintWriter out, ShuffleGrid grid) throws IOException {
        Format fmt = format;
        ViTConfig cfg = clf.getModel().getConfig();
        List<TensorInput.Row> rows = TensorInput.read(tensor, cfg);
        if (!rows.isEmpty() && grid != null) {
            PreprocessedImage first = rows.stream().filter(r -> r.image() != null).map(TensorInput.Row::image)
                    .findFirst().orElse(null);
            if (first != null && (first.height() % grid.rows() != 0 || first.width() % grid.cols() != 0)) {
                throw Usage.error(spec, "--scramble-grid " + grid + ": does not divide the tensor's "
                        + first.height() + "x" + first.width() + " images");
            }
        }
        pathWidth = Text.width(tensor.toString()) + 2 + Integer.toString(Math.max(rows.size() - 1, 0)).length();
        fmt.header(out, pathWidth, labelWidth, logits);
        boolean failed = false;
        for (TensorInput.Row r : rows) {
            if (r.error() != null) {
                failed = true;
                fmt.error(out, pathWidth, r.name(), r.error());
                continue;
            }
            PreprocessedImage p = r.image();
            if (grid != null) {
                // seeded by the row's name, as images are by their path
                p = VitClassifier.scramble(p, grid, Scrambler.imageSeed(seed, r.name().hashCode()));
            }
            Classification c = clf.classify(List.of(p), k).get(0);
            if (tFirstBatch == 0) {
                tFirstBatch = System.currentTimeMillis();
            }
            fmt.result(out, pathWidth, labelWidth, r.name(), c, logits);
        }
        return failed;
    }

    /** Output formats. */
    enum Format {
        TABLE, JSON, CSV;

        void header(PrintWriter out, int pathWidth, int labelWidth, boolean withLogits) {
            if (this == TABLE) {
                out.println(Text.padRight("PATH", pathWidth) + "  " + Text.padRight("PREDICTION", labelWidth)
                        + "    PROB  NEXT" + (withLogits ? "  LOGITS" : ""));
            } else if (this == CSV) {
                out.println("path,rank,label,index,probability,error" + (withLogits ? ",logits" : ""));
            }
        }

        void result(PrintWriter out, int pathWidth, int labelWidth, String path, Classification c, boolean withLogits) {
            switch (this) {
                case JSON: {
                    JsonObject o = new JsonObject();
                    o.addProperty("path", path);
                    JsonArray preds = new JsonArray();
                    for (Prediction p : c.top()) {
                        JsonObject po = new JsonObject();
                        po.addProperty("label", p.label());
                        po.addProperty("index", p.index());
                        po.addProperty("probability", p.probability());
                        preds.add(po);
                    }
                    o.add("predictions", preds);
                    if (withLogits) {
                        o.add("logits", GSON.toJsonTree(c.logits()));
                    }
                    out.println(GSON.toJson(o));
                    break;
                }
                case CSV:
                    for (int i = 0; i < c.top().size(); i++) {
                        Prediction p = c.top().get(i);
                        out.printf(Locale.ROOT, "%s,%d,%s,%d,%.6f,%s%n", csv(path), i + 1, csv(p.label()), p.index(), p.probability(),
                                withLogits ? "," + (i == 0 ? logitList(c.logits(), " ") : "") : "");
                    }
                    break;
                default: {
                    StringBuilder next = new StringBuilder();
                    for (int i = 1; i < c.top().size(); i++) {
                        Prediction p = c.top().get(i);
                        next.append(i > 1 ? ", " : "").append(String.format(Locale.ROOT, "%s %.3f", p.label(), p.probability()));
                    }
                    String line = Text.padRight(path, pathWidth) + "  " + Text.padRight(c.best().label(), labelWidth)
                            + String.format(Locale.ROOT, "  %.4f  ", c.best().probability()) + next
                            + (withLogits ? "  " + logitList(c.logits(), " ") : "");
                    out.println(line.stripTrailing());
                }
            }
        }

        void error(PrintWriter out, int pathWidth, String path, String message) {
            switch (this) {
                case JSON: {
                    JsonObject o = new JsonObject();
                    o.addProperty("path", path);
                    o.addProperty("error", message);
                    out.println(GSON.toJson(o));
                    break;
                }
                case CSV:
                    out.printf(Locale.ROOT, "%s,,,,,%s%n", csv(path), csv(message));
                    break;
                default:
                    out.println(Text.padRight(path, pathWidth) + "  ERROR: " + message);
            }
        }

        /** Logits in class order, as Java prints floats (shortest exact form). */
        private static String logitList(float[] logits, String sep) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < logits.length; i++) {
                b.append(i == 0 ? "" : sep).append(logits[i]);
            }
            return b.toString();
        }

        private static String csv(String s) {
            return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }

    /** {@code table}, {@code json} or {@code csv}. */
    static final class FormatName extends Converters.Names<Format> {
        FormatName() {
            super(Format.class);
        }
    }
}
