package org.vit4j.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.train.EvalResult;
import org.vit4j.train.Evaluator;
import org.vit4j.train.ImageDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j eval}: accuracy, per-class accuracy and confusion matrix, optionally scrambled. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on a labelled data set, unscrambled and at each --scramble-grid.")
final class EvalCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin ForwardOptions forward;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled model).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "fashion-mnist[:test|:train]|DIR",
            description = "Fashion-MNIST (default split: test) or an image folder with one sub-folder per class.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the Fashion-MNIST IDX files are (default: Debian's /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--scramble-grid", split = ",", paramLabel = "RxC", description = "Also evaluate with every image's blocks shuffled on these grids.")
    List<String> grids = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the scrambling permutations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "B", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("table") && !format.equals("json")) {
            throw new IllegalArgumentException("--format '" + format + "' is not one of table, json");
        }
        List<ShuffleGrid> shuffle = new ArrayList<>();
        for (String g : grids) {
            shuffle.add(ShuffleGrid.parse(g));
        }
        try (VitModel m = common.loadModel(model, common.device()); InferenceForward f = forward.open(m)) {
            ImageDataset ds;
            try {
                ds = DataSets.open(data, dataDir, m.getConfig().getChannels(), false);
            } catch (IOException e) {
                throw new IllegalArgumentException("--data: " + e.getMessage(), e);
            }
            if (!ds.labels().equals(m.getLabels())) {
                throw new IllegalArgumentException("--data " + data + " has classes " + ds.labels()
                        + " but the model's labels are " + m.getLabels());
            }
            List<EvalResult> results = new ArrayList<>();
            List<ShuffleGrid> runs = new ArrayList<>();
            runs.add(null);
            runs.addAll(shuffle);
            for (ShuffleGrid g : runs) {
                Progress p = new Progress(spec.commandLine().getErr(), common.quiet,
                        "eval " + (g == null ? "unscrambled" : g.toString()), ds.size());
                results.add(Evaluator.evaluate(f, ds, batchSize, g, seed, done -> p.update(done, null)));
                p.finish();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (format.equals("json")) {
                printJson(out, ds, results, f);
            } else {
                printTable(out, ds, results, f);
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static String name(EvalResult r) {
        return r.scrambleGrid() == null ? "unscrambled" : "shuffle " + r.scrambleGrid();
    }

    private void printTable(PrintWriter out, ImageDataset ds, List<EvalResult> results, InferenceForward f) {
        out.printf(Locale.ROOT, "data: %s%nforward: %s%n%n", ds.describe(), f.describe());
        out.printf(Locale.ROOT, "%-14s", "");
        for (EvalResult r : results) {
            out.printf(Locale.ROOT, " %15s", name(r));
        }
        out.println();
        out.printf(Locale.ROOT, "%-14s", "accuracy");
        for (EvalResult r : results) {
            out.printf(Locale.ROOT, " %14.2f%%", 100 * r.accuracy());
        }
        out.println();
        for (int c = 0; c < ds.labels().size(); c++) {
            out.printf(Locale.ROOT, "%-14s", ds.labels().get(c));
            for (EvalResult r : results) {
                out.printf(Locale.ROOT, " %14.2f%%", 100 * r.perClassAccuracy()[c]);
            }
            out.println();
        }
        for (EvalResult r : results) {
            out.printf(Locale.ROOT, "%nconfusion matrix, %s (rows: true class, columns: predicted)%n", name(r));
            for (int c = 0; c < r.confusion().length; c++) {
                out.printf(Locale.ROOT, "%-14s", ds.labels().get(c));
                for (long v : r.confusion()[c]) {
                    out.printf(Locale.ROOT, " %5d", v);
                }
                out.println();
            }
        }
    }

    private void printJson(PrintWriter out, ImageDataset ds, List<EvalResult> results, InferenceForward f) {
        Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().serializeNulls().create();
        JsonObject o = new JsonObject();
        o.addProperty("data", ds.describe());
        o.addProperty("engine", f.engine().cliName());
        o.addProperty("precision", f.precision().precision().cliName());
        o.addProperty("precision_reason", f.precision().reason());
        o.add("labels", gson.toJsonTree(ds.labels()));
        JsonArray arr = new JsonArray();
        for (EvalResult r : results) {
            JsonObject e = new JsonObject();
            e.addProperty("scramble_grid", r.scrambleGrid());
            e.addProperty("images", r.total());
            e.addProperty("accuracy", r.accuracy());
            e.addProperty("loss", r.loss());
            e.add("per_class_accuracy", gson.toJsonTree(r.perClassAccuracy()));
            e.add("confusion", gson.toJsonTree(r.confusion()));
            arr.add(e);
        }
        o.add("results", arr);
        out.println(gson.toJson(o));
    }
}
