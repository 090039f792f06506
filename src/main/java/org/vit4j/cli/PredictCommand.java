package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.Classification;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.Outcome;
import org.vit4j.infer.Prediction;
import org.vit4j.infer.ResultJson;
import org.vit4j.infer.TensorInput;
import org.vit4j.infer.VitClassifier;
import org.vit4j.image.SizingPolicy;
import org.vit4j.io.OutputFile;
import org.vit4j.model.Architecture;
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

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin PixelLimit pixelLimit;

    @Mixin ForwardOptions forward;

    @Mixin BatchPartsOption batchParts;

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

    @Option(names = "--tensor", paramLabel = "FILE.npy", converter = Converters.ExistingFile.class,
            description = "A preprocessed float32 (B, C, H, W) array instead of images.")
    Path tensor;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Image files, directories, or - (paths on stdin).")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if ((tensor == null) == paths.isEmpty()) {
            throw Usage.error(spec, "give image PATHs or --tensor FILE.npy (one of the two)");
        }
        if (!scramble && scrambleGrid != null) {
            throw Usage.error(spec, "--scramble-grid needs --scramble");
        }
        if (!scramble && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw Usage.error(spec, "--seed needs --scramble");
        }
        if (nulSeparated && !paths.contains("-")) {
            throw Usage.error(spec, "-0 reads NUL-separated paths from stdin: give - among the PATHs");
        }
        // the inputs are listed before any work, so that an output among them is refused
        List<Inputs.Input> inputs = Inputs.listed(spec, paths, tensor, nulSeparated);
        List<Path> read = Inputs.read(inputs, tensor);
        OutputFile target = outFile == null ? null : Usage.outputFile(spec, "--out", outFile, force, read);
        if (target != null && target.isStdout()) {
            target = null;
        }
        try (InferenceModel loaded = forward.load(common.loadModel(model, common.device()), pixelLimit.value(), batchParts.value())) {
            VitClassifier clf = loaded.classifier();
            ViTConfig cfg = loaded.getConfig();
            Architecture a = cfg.architecture();
            k = Math.min(topK, a.numClasses());
            if (topK > k) {
                common.note("--top-k " + topK + " is more than the model's " + k + " classes: listing all " + k);
            }
            labelWidth = Text.widest(clf.getLabels(), "PREDICTION".length());
            ShuffleGrid grid = scramble
                    ? (scrambleGrid == null ? new ShuffleGrid(a.grid().rows(), a.grid().cols()) : scrambleGrid)
                    : null;
            if (grid != null && tensor == null && fixedSize(cfg)
                    && (a.imageHeight() % grid.rows() != 0 || a.imageWidth() % grid.cols() != 0)) {
                throw Usage.error(spec, "--scramble-grid " + grid + ": does not divide the model's "
                        + a.imageHeight() + "x" + a.imageWidth() + " input");
            }
            StringWriter buffer = target == null ? null : new StringWriter();
            PrintWriter out = buffer == null ? spec.commandLine().getOut() : new PrintWriter(buffer);
            boolean failed = tensor != null
                    ? predictTensor(loaded, out, grid)
                    : predictImages(loaded, out, grid, inputs);
            out.flush();
            if (buffer != null) {
                target.writeBytes(buffer.toString().getBytes(StandardCharsets.UTF_8), System.out);
            }
            return failed ? ExitCodes.SOME_FAILED : ExitCodes.OK;
        }
    }

    /** Whether every image reaches the model at the config's size (so a grid can be checked up front). */
    private static boolean fixedSize(ViTConfig cfg) {
        SizingPolicy sizing = cfg.preprocessing().sizing();
        return sizing == SizingPolicy.RESIZE || sizing == SizingPolicy.RESIZE_CROP;
    }

    private boolean predictImages(InferenceModel loaded, PrintWriter out, ShuffleGrid grid, List<Inputs.Input> inputs) {
        Format fmt = format;
        pathWidth = Text.widest(inputs.stream().map(Inputs.Input::name).toList(), 4);
        fmt.header(out, pathWidth, labelWidth, logits);
        Progress progress = new Progress(spec.commandLine().getErr(), common.quiet, "predict", inputs.size());
        boolean failed = false;
        for (int start = 0; start < inputs.size(); start += batchSize) {
            List<Outcome<Path>> files = inputs.subList(start, Math.min(inputs.size(), start + batchSize)).stream()
                    .map(in -> in.error() == null ? Outcome.of(in.name(), in.path())
                            : Outcome.<Path>failed(in.name(), in.error()))
                    .toList();
            failed |= print(loaded.classifier(), out, scrambled(loaded.readAll(files), grid));
            out.flush();
            progress.update(start + files.size(), null);
        }
        progress.finish();
        return failed;
    }

    /** Scrambles each image with a seed from its name, not its position, so batching changes nothing. */
    private List<Outcome<PreprocessedImage>> scrambled(List<Outcome<PreprocessedImage>> images, ShuffleGrid grid) {
        if (grid == null) {
            return images;
        }
        return images.stream()
                .map(in -> in.map(p -> Scrambler.scramble(p, grid, Scrambler.imageSeed(seed, in.name().hashCode()))))
                .toList();
    }

    /** Classifies a batch (mixed sizes are grouped by the library) and prints one result or error per input. */
    private boolean print(VitClassifier clf, PrintWriter out, List<Outcome<PreprocessedImage>> batch) {
        boolean failed = false;
        for (Outcome<Classification> r : Outcome.mapAll(batch, images -> clf.classify(images, k))) {
            if (r.ok()) {
                format.result(out, pathWidth, labelWidth, r.name(), r.value(), logits);
            } else {
                failed = true;
                format.error(out, pathWidth, r.name(), r.error());
            }
        }
        return failed;
    }

    private boolean predictTensor(InferenceModel loaded, PrintWriter out, ShuffleGrid grid) throws IOException {
        List<Outcome<PreprocessedImage>> rows = TensorInput.read(tensor, loaded.getConfig());
        if (grid != null) {
            PreprocessedImage first = rows.stream().filter(Outcome::ok).map(Outcome::value).findFirst().orElse(null);
            if (first != null && (first.height() % grid.rows() != 0 || first.width() % grid.cols() != 0)) {
                throw Usage.error(spec, "--scramble-grid " + grid + ": does not divide the tensor's "
                        + first.height() + "x" + first.width() + " images");
            }
        }
        pathWidth = Text.width(tensor.toString()) + 2 + Integer.toString(Math.max(rows.size() - 1, 0)).length();
        format.header(out, pathWidth, labelWidth, logits);
        boolean failed = false;
        // one row per forward pass, as before: a row's result never depends on the rows beside it
        for (Outcome<PreprocessedImage> r : scrambled(rows, grid)) {
            failed |= print(loaded.classifier(), out, List.of(r));
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
                case JSON:
                    out.println(ResultJson.line(ResultJson.classification(path, c, withLogits)));
                    break;
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
                case JSON:
                    out.println(ResultJson.line(ResultJson.error(path, message)));
                    break;
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
