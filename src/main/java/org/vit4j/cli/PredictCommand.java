package org.vit4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.Classification;
import org.vit4j.infer.Prediction;
import org.vit4j.infer.VitClassifier;
import org.vit4j.io.Npy;
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

    private static final Gson GSON = new Gson();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin ForwardOptions forward;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled Fashion-MNIST model).")
    Path model;

    @Option(names = "--top-k", defaultValue = "3", paramLabel = "K", description = "Classes listed per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json|csv", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--scramble", description = "Shuffle each image's blocks before classifying it.")
    boolean scramble;

    @Option(names = "--scramble-grid", paramLabel = "RxC", description = "Shuffle grid (default: the model's patch grid).")
    String scrambleGrid;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the scrambling permutations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--logits", description = "Also print the raw logits (json).")
    boolean logits;

    /** Width of the table's path column: the longest path of the run. */
    private int pathWidth;

    /** Wall-clock milestones for the --verbose cold-start breakdown. */
    private long tEngine;
    private long tModel;
    private long tFirstBatch;

    @Option(names = "--tensor", paramLabel = "FILE.npy", description = "A preprocessed float32 (B, C, H, W) array instead of images.")
    Path tensor;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Image files, directories, or - (paths on stdin).")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        long tCommand = System.currentTimeMillis();
        PrintWriter out = spec.commandLine().getOut();
        Format fmt = Format.parse(format);
        if ((tensor == null) == paths.isEmpty()) {
            throw new IllegalArgumentException("give image PATHs or --tensor FILE.npy (one of the two)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        Device device = common.device();
        tEngine = System.currentTimeMillis();
        try (VitClassifier clf = forward.classifier(common.loadModel(model, device))) {
            tModel = System.currentTimeMillis();
            ViTConfig cfg = clf.getModel().getConfig();
            int k = cfg.getNumClasses();
            if (topK < 1 || topK > k) {
                throw new IllegalArgumentException("--top-k " + topK + " must be between 1 and the model's " + k + " classes");
            }
            ShuffleGrid grid = scramble
                    ? (scrambleGrid == null ? new ShuffleGrid(cfg.getGrid().rows(), cfg.getGrid().cols()) : ShuffleGrid.parse(scrambleGrid))
                    : null;
            if (!scramble && scrambleGrid != null) {
                throw new IllegalArgumentException("--scramble-grid needs --scramble");
            }
            boolean failed = tensor != null
                    ? predictTensor(clf, fmt, out)
                    : predictImages(clf, fmt, out, grid);
            out.flush();
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

    private boolean predictImages(VitClassifier clf, Format fmt, PrintWriter out, ShuffleGrid grid) throws IOException {
        List<Inputs.Input> inputs = Inputs.expand(paths, System.in);
        pathWidth = Math.max(4, inputs.stream().mapToInt(i -> i.name().length()).max().orElse(0));
        fmt.header(out, pathWidth);
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
            List<Classification> results = classifyBySize(clf, good);
            int r = 0;
            for (int i = 0; i < batch.size(); i++) {
                if (pre[i] instanceof PreprocessedImage) {
                    fmt.result(out, pathWidth, batch.get(i).name(), results.get(r++), logits);
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

    /** Images of other sizes (pad/strict policies) go through in separate forward passes. */
    private List<Classification> classifyBySize(VitClassifier clf, List<PreprocessedImage> images) {
        Classification[] res = new Classification[images.size()];
        boolean[] done = new boolean[images.size()];
        for (int i = 0; i < images.size(); i++) {
            if (done[i]) {
                continue;
            }
            List<Integer> same = new ArrayList<>();
            for (int j = i; j < images.size(); j++) {
                if (!done[j] && images.get(j).height() == images.get(i).height() && images.get(j).width() == images.get(i).width()) {
                    same.add(j);
                    done[j] = true;
                }
            }
            List<PreprocessedImage> group = new ArrayList<>();
            same.forEach(j -> group.add(images.get(j)));
            List<Classification> c = clf.classify(group, topK);
            for (int s = 0; s < same.size(); s++) {
                res[same.get(s)] = c.get(s);
            }
        }
        return List.of(res);
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

    private boolean predictTensor(VitClassifier clf, Format fmt, PrintWriter out) throws IOException {
        ViTConfig cfg = clf.getModel().getConfig();
        String name = tensor.toString();
        pathWidth = name.length() + 8;
        fmt.header(out, pathWidth);
        Npy.Array a;
        try {
            a = Npy.read(tensor);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!a.dtype().endsWith("f4")) {
            throw new IllegalArgumentException(name + ": dtype " + a.dtype() + ", expected float32 ('<f4')");
        }
        long[] s = a.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException(name + ": shape " + java.util.Arrays.toString(s)
                    + " has rank " + s.length + ", expected (B, C, H, W)");
        }
        if (s[1] != cfg.getChannels() || s[2] % cfg.getPatchSize() != 0 || s[3] % cfg.getPatchSize() != 0 || s[2] == 0 || s[3] == 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: shape %s does not fit the model: needs C=%d and H, W positive multiples of patch size %d",
                    name, java.util.Arrays.toString(s), cfg.getChannels(), cfg.getPatchSize()));
        }
        int per = (int) (s[1] * s[2] * s[3]);
        boolean failed = false;
        for (int b = 0; b < s[0]; b++) {
            float[] row = java.util.Arrays.copyOfRange(a.data(), b * per, (b + 1) * per);
            String rowName = name + "[" + b + "]";
            boolean finite = true;
            for (float v : row) {
                finite &= Float.isFinite(v);
            }
            if (!finite) {
                failed = true;
                fmt.error(out, pathWidth, rowName, "contains NaN or infinite values");
                continue;
            }
            Classification c = clf.classify(row, new Shape(1, s[1], s[2], s[3]), topK).get(0);
            if (tFirstBatch == 0) {
                tFirstBatch = System.currentTimeMillis();
            }
            fmt.result(out, pathWidth, rowName, c, logits);
        }
        return failed;
    }

    /** Output formats. */
    enum Format {
        TABLE, JSON, CSV;

        static Format parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--format '" + s + "' is not one of table, json, csv", e);
            }
        }

        void header(PrintWriter out, int pathWidth) {
            if (this == TABLE) {
                out.printf(Locale.ROOT, "%-" + pathWidth + "s  %-14s %8s  %s%n", "PATH", "PREDICTION", "PROB", "NEXT");
            } else if (this == CSV) {
                out.println("path,rank,label,index,probability,error");
            }
        }

        void result(PrintWriter out, int pathWidth, String path, Classification c, boolean withLogits) {
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
                        out.printf(Locale.ROOT, "%s,%d,%s,%d,%.6f,%n", csv(path), i + 1, csv(p.label()), p.index(), p.probability());
                    }
                    break;
                default: {
                    StringBuilder next = new StringBuilder();
                    for (int i = 1; i < c.top().size(); i++) {
                        Prediction p = c.top().get(i);
                        next.append(i > 1 ? ", " : "").append(String.format(Locale.ROOT, "%s %.3f", p.label(), p.probability()));
                    }
                    out.printf(Locale.ROOT, "%-" + pathWidth + "s  %-14s %8.4f  %s%n", path, c.best().label(),
                            c.best().probability(), next);
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
                    out.printf(Locale.ROOT, "%-" + pathWidth + "s  ERROR: %s%n", path, message);
            }
        }

        private static String csv(String s) {
            return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }
}
