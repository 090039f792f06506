package org.vit4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.vit4j.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.vit4j.train.DataSets;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.SizingPolicy;
import org.vit4j.io.IoErrors;
import org.vit4j.model.Architecture;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PositionScaling;
import org.vit4j.train.EvalResult;
import org.vit4j.train.Evaluator;
import org.vit4j.train.ImageDataset;
import org.vit4j.train.LabelMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j eval}: top-1 and top-5 accuracy, per-class accuracy and confusion matrix, optionally scrambled. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on a labelled data set, unscrambled and at each --scramble-grid.")
final class EvalCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin PixelLimit pixelLimit;

    @Mixin ForwardOptions forward;

    @Mixin BatchPartsOption batchParts;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled model).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "fashion-mnist[:test|:train][:N]|DIR",
            description = "Fashion-MNIST (default split: test; :N = its first N images) or an image folder with one sub-folder per class"
                    + " (names matched to the model's labels; a subset of the classes is fine).")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the Fashion-MNIST IDX files are (default: Debian's /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--label-map", paramLabel = "FILE", converter = Converters.ExistingFile.class,
            description = "Lines FOLDER=LABEL for folders whose names are not the model's labels.")
    Path labelMap;

    @Option(names = "--scramble-grid", split = ",", paramLabel = "RxC", description = "Also evaluate with every image's blocks shuffled on these grids.")
    List<ShuffleGrid> grids = new ArrayList<>();

    @Option(names = "--image-size", split = ",", paramLabel = "S|HxW",
            description = "Evaluate at these input sizes instead of the model's (each unscrambled and at each --scramble-grid):"
                    + " sin-cos and rotary position tables are recomputed for the new patch grid (see --position-scaling),"
                    + " a learned table is resampled (timm's bicubic).")
    List<Converters.ImageSize> imageSizes = new ArrayList<>();

    @Option(names = "--position-scaling", paramLabel = "extrapolate|interpolate", converter = Converters.ScalingName.class,
            description = "Where sin-cos and rotary tables put the patches of another --image-size: at the new grid's integer"
                    + " coordinates (extrapolate) or scaled into the trained grid's range (interpolate, timm's"
                    + " ref_feat_shape) (default: the model's config, extrapolate unless it says otherwise).")
    PositionScaling positionScaling;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the scrambling permutations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", converter = FormatName.class,
            description = "Output format (default: ${DEFAULT-VALUE}).")
    Format format;

    /** Output formats. */
    enum Format { TABLE, JSON }

    /** {@code table} or {@code json}. */
    static final class FormatName extends Converters.Names<Format> {
        FormatName() {
            super(Format.class);
        }
    }

    @Override
    public Integer call() throws Exception {
        String dataProblem = DataSets.problem(data);
        if (dataProblem != null) {
            throw Usage.error(spec, "--data " + data + ": " + dataProblem);
        }
        if (grids.isEmpty() && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw Usage.error(spec, "--seed needs --scramble-grid");
        }
        if (labelMap != null && data.startsWith("fashion-mnist")) {
            throw Usage.error(spec, "--label-map is for image folders; Fashion-MNIST has the bundled model's labels");
        }
        Map<String, String> explicit = Map.of();
        if (labelMap != null) {
            try {
                explicit = LabelMap.read(labelMap);
            } catch (IOException e) {
                throw Usage.error(spec, "--label-map " + IoErrors.describe(e));
            }
        }
        UnaryOperator<ViTConfig> scaling = positionScaling == null ? UnaryOperator.identity()
                : c -> c.toBuilder().optPositionScaling(positionScaling).build();
        try (VitModel m = common.loadModel(model, common.device(), scaling); InferenceForward f = forward.open(m, batchParts.value())) {
            ViTConfig cfg = m.getConfig();
            List<ViTConfig> atSizes = atSizes(cfg);
            ImageDataset ds = openData(cfg, m.getLabels(), explicit);
            List<Entry> results = evaluate(f, ds, atSizes, cfg);
            // an unreadable image fails in every run over the data: named once
            Set<String> skipped = new LinkedHashSet<>();
            results.forEach(e -> skipped.addAll(e.result().skipped()));
            PrintWriter err = spec.commandLine().getErr();
            skipped.forEach(err::println);
            err.flush();
            PrintWriter out = spec.commandLine().getOut();
            if (format == Format.JSON) {
                printJson(out, ds, size(cfg), results, f, skipped.size(), cfg.architecture().positionScaling());
            } else {
                printTable(out, ds, results, f, skipped.size());
            }
            out.flush();
            return skipped.isEmpty() ? ExitCodes.OK : ExitCodes.SOME_FAILED;
        }
    }

    /** The model at each --image-size (or its own size), each checked against the patch size, pixel limit and scramble grids. */
    private List<ViTConfig> atSizes(ViTConfig cfg) {
        List<ViTConfig> atSizes = new ArrayList<>();
        for (Converters.ImageSize size : imageSizes) {
            int p = cfg.architecture().patchSize();
            if (size.height() % p != 0 || size.width() % p != 0) {
                throw Usage.error(spec, "--image-size " + size + ": not a multiple of the model's patch size " + p);
            }
            if (size.pixels() > pixelLimit.value()) {
                throw Usage.error(spec, "--image-size " + size + ": " + size.pixels()
                        + " pixels is above the pixel limit " + pixelLimit.value());
            }
            atSizes.add(cfg.toBuilder().setImageSize(size.height(), size.width()).build());
        }
        if (atSizes.isEmpty()) {
            atSizes.add(cfg);
        }
        for (ViTConfig c : atSizes) {
            Architecture a = c.architecture();
            SizingPolicy sizing = c.preprocessing().sizing();
            for (ShuffleGrid g : grids) {
                boolean fixed = sizing == SizingPolicy.RESIZE || sizing == SizingPolicy.RESIZE_CROP;
                if (fixed && (a.imageHeight() % g.rows() != 0 || a.imageWidth() % g.cols() != 0)) {
                    throw Usage.error(spec, "--scramble-grid " + g + ": does not divide the "
                            + (c == cfg ? "model's " : "") + size(c) + " input");
                }
            }
        }
        return atSizes;
    }

    /** The --data images, labelled as the model's classes. */
    private ImageDataset openData(ViTConfig cfg, List<String> modelLabels, Map<String, String> explicit) {
        ImageDataset ds;
        try {
            ds = DataSets.open(data, dataDir, pixelLimit.loader(cfg.architecture().channels()), false);
        } catch (IOException e) {
            throw Usage.error(spec, "--data " + data + ": " + IoErrors.describe(e));
        }
        try {
            return LabelMap.relabel(ds, modelLabels, LabelMap.match(ds.labels(), modelLabels, explicit));
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--data " + data + ": " + e.getMessage());
        }
    }

    /** One evaluation per size and per scramble grid (the first of each size unscrambled), with a progress bar each. */
    private List<Entry> evaluate(InferenceForward f, ImageDataset ds, List<ViTConfig> atSizes, ViTConfig cfg)
            throws IOException {
        List<Entry> results = new ArrayList<>();
        List<ShuffleGrid> runs = new ArrayList<>();
        runs.add(null);
        runs.addAll(grids);
        for (ViTConfig c : atSizes) {
            ImagePreprocessor pre = c.preprocessor();
            for (ShuffleGrid g : runs) {
                Entry e = new Entry(atSizes.size() > 1 || c != cfg ? size(c) : null, null);
                Progress p = new Progress(spec.commandLine().getErr(), common.quiet,
                        "eval " + e.name(g == null ? null : g.toString()), ds.size());
                results.add(new Entry(e.size(),
                        Evaluator.evaluate(f, pre, ds, batchSize, g, seed, done -> p.update(done, null))));
                p.finish();
            }
        }
        return results;
    }

    private static String size(ViTConfig c) {
        return c.architecture().imageHeight() + "x" + c.architecture().imageWidth();
    }

    /**
     * One evaluation and the input size it ran at.
     *
     * @param size {@code HxW} when evaluated at another size than the model's (or at several), else null
     * @param result the counts
     */
    private record Entry(String size, EvalResult result) {
        String name(String grid) {
            String n = grid == null ? "unscrambled" : "shuffle " + grid;
            return size == null ? n : size + " " + n;
        }

        String name() {
            return name(result.scrambleGrid());
        }
    }

    /** The classes with images (a folder may hold a subset of the model's). */
    private static List<Integer> present(EvalResult r) {
        List<Integer> c = new ArrayList<>();
        double[] acc = r.perClassAccuracy();
        for (int i = 0; i < acc.length; i++) {
            if (!Double.isNaN(acc[i])) {
                c.add(i);
            }
        }
        return c;
    }

    private void printTable(PrintWriter out, ImageDataset ds, List<Entry> results, InferenceForward f, int skipped) {
        List<Integer> classes = present(results.get(0).result());
        List<String> names = new ArrayList<>();
        classes.forEach(c -> names.add(ds.labels().get(c)));
        int lw = Text.widest(names, "top-5 accuracy".length());
        List<String> columns = new ArrayList<>();
        results.forEach(e -> columns.add(e.name()));
        int cw = Text.widest(columns, 15);
        out.printf(Locale.ROOT, "data: %s%s%nforward: %s%n%n", ds.describe(),
                skipped == 0 ? "" : "; " + skipped + " skipped (unreadable, named on stderr)", f.describe());
        StringBuilder head = new StringBuilder(Text.padRight("", lw));
        StringBuilder top1 = new StringBuilder(Text.padRight("accuracy", lw));
        StringBuilder top5 = new StringBuilder(Text.padRight("top-5 accuracy", lw));
        for (Entry e : results) {
            head.append(' ').append(Text.padLeft(e.name(), cw));
            top1.append(' ').append(Text.padLeft(percent(e.result().accuracy()), cw));
            top5.append(' ').append(Text.padLeft(percent(e.result().top5Accuracy()), cw));
        }
        out.println(head);
        out.println(top1);
        out.println(top5);
        for (int c : classes) {
            StringBuilder row = new StringBuilder(Text.padRight(ds.labels().get(c), lw));
            for (Entry e : results) {
                row.append(' ').append(Text.padLeft(percent(e.result().perClassAccuracy()[c]), cw));
            }
            out.println(row);
        }
        List<String> all = ds.labels();
        for (Entry e : results) {
            printConfusion(out, e, classes, all);
        }
    }

    /**
     * Rows: the true classes present; columns: every predicted class, headed by its index, with
     * the index beside each row's label as the key.
     */
    private static void printConfusion(PrintWriter out, Entry e, List<Integer> rows, List<String> labels) {
        EvalResult r = e.result();
        long max = 0;
        for (long[] row : r.confusion()) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        int cw = Math.max(Long.toString(max).length(), Integer.toString(labels.size() - 1).length()) + 1;
        List<String> keys = new ArrayList<>();
        for (int c : rows) {
            keys.add(c + " " + labels.get(c));
        }
        int lw = Text.widest(keys, "true \\ predicted".length());
        out.printf(Locale.ROOT, "%nconfusion matrix, %s (rows: true class, columns: predicted class by index)%n", e.name());
        StringBuilder head = new StringBuilder(Text.padRight("true \\ predicted", lw));
        for (int j = 0; j < labels.size(); j++) {
            head.append(Text.padLeft(Integer.toString(j), cw));
        }
        out.println(head);
        for (int i = 0; i < rows.size(); i++) {
            StringBuilder line = new StringBuilder(Text.padRight(keys.get(i), lw));
            for (long v : r.confusion()[rows.get(i)]) {
                line.append(Text.padLeft(Long.toString(v), cw));
            }
            out.println(line);
        }
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private void printJson(PrintWriter out, ImageDataset ds, String modelSize, List<Entry> results, InferenceForward f,
            int skipped, PositionScaling scaling) {
        JsonObject o = new JsonObject();
        o.addProperty("data", ds.describe());
        o.addProperty("skipped", skipped);
        o.addProperty("engine", f.engine().cliName());
        o.addProperty("precision", f.precision().precision().cliName());
        o.addProperty("precision_reason", f.precision().reason());
        o.addProperty("position_scaling", scaling.cliName());
        o.add("labels", Json.tree(ds.labels()));
        JsonArray arr = new JsonArray();
        for (Entry x : results) {
            EvalResult r = x.result();
            JsonObject e = new JsonObject();
            e.addProperty("image_size", x.size() != null ? x.size() : modelSize);
            e.addProperty("scramble_grid", r.scrambleGrid());
            e.addProperty("images", r.total());
            e.addProperty("skipped", r.skipped().size());
            Json.put(e, "accuracy", r.accuracy());
            Json.put(e, "top5_accuracy", r.top5Accuracy());
            Json.put(e, "loss", r.loss());
            JsonArray perClass = new JsonArray();
            for (double a : r.perClassAccuracy()) {
                perClass.add(Json.number(a)); // null: a class without images
            }
            e.add("per_class_accuracy", perClass);
            e.add("confusion", Json.tree(r.confusion()));
            arr.add(e);
        }
        o.add("results", arr);
        out.println(Json.line(o));
    }
}
