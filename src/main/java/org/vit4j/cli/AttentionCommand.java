package org.vit4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.image.SizingPolicy;
import org.vit4j.infer.AttentionMaps;
import org.vit4j.infer.InferenceModel;
import org.vit4j.io.IoErrors;
import org.vit4j.io.Json;
import org.vit4j.io.Npy;
import org.vit4j.io.OutputFile;
import org.vit4j.model.Architecture;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.train.AttentionDistance;
import org.vit4j.train.DataSets;
import org.vit4j.train.ImageDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vit4j attention}: where the heads look, as an array or a picture for an image, or as the
 * mean attention distance of every layer and head over a data set ({@code --distance}).
 */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = "The attention probabilities of every layer and head for an image: a PNG of what the pooled"
                + " token attends to per layer and the attention rollout, or the (L, H, T, T) array; with --distance,"
                + " the mean attention distance of every layer and head over a data set, as JSON.")
final class AttentionCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin PixelLimit pixelLimit;

    @Mixin ForwardOptions forward;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled Fashion-MNIST model).")
    Path model;

    @Option(names = "--format", defaultValue = "png", paramLabel = "png|npy", converter = FormatName.class,
            description = "png: the image, then per layer the pooled token's attention to the patches (mean over"
                    + " heads) as a heat map, then the attention rollout; npy: the float32 (L, H, T, T) array of"
                    + " every layer's and head's probabilities, T the class and register tokens then the patches,"
                    + " as embed --tokens encoded --prefix orders them (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "Output file (required for an IMAGE): FILE.png, or with"
            + " --format npy any name; with --distance the JSON line (default: stdout); - for stdout, a FIFO or device"
            + " is written as a stream.")
    Path out;

    @Option(names = "--force", description = "Replace an existing --out file.")
    boolean force;

    @Option(names = "--scramble", description = "Shuffle the image's blocks first, as predict --scramble does;"
            + " the maps and the picture are of the scrambled image.")
    boolean scramble;

    @Option(names = "--scramble-grid", paramLabel = "RxC", description = "Shuffle grid (default: the model's patch grid).")
    ShuffleGrid scrambleGrid;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the scrambling permutation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--distance", description = "Instead of an IMAGE's maps: the mean attention distance, in patches, of"
            + " every layer and head over the --data images (patch-to-patch attention, renormalized; prefix tokens left"
            + " out), as one JSON line.")
    boolean distance;

    @Option(names = "--data", paramLabel = "fashion-mnist[:test|:train][:N]|DIR",
            description = "With --distance: Fashion-MNIST (default split: test; :N = its first N images) or an image folder.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the Fashion-MNIST IDX files are (default: Debian's /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "With --distance: images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Parameters(paramLabel = "IMAGE", arity = "0..1", converter = Converters.ExistingFile.class, description = "The image file.")
    Path image;

    /** Output formats. */
    enum Format { PNG, NPY }

    /** {@code png} or {@code npy}. */
    static final class FormatName extends Converters.Names<Format> {
        FormatName() {
            super(Format.class);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (distance) {
            return distance();
        }
        if (data != null) {
            throw Usage.error(spec, "--data " + data + ": needs --distance (an IMAGE's maps take no data set)");
        }
        if (image == null) {
            throw Usage.error(spec, "give an IMAGE, or --distance --data SPEC");
        }
        if (out == null) {
            throw Usage.error(spec, "--out FILE is required");
        }
        if (!scramble && scrambleGrid != null) {
            throw Usage.error(spec, "--scramble-grid needs --scramble");
        }
        if (!scramble && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw Usage.error(spec, "--seed needs --scramble");
        }
        if (forward.precision() != Precision.FP32) {
            throw Usage.error(spec, "--precision " + forward.precision().cliName() + ": attention maps are computed in fp32 only");
        }
        OutputFile target = Usage.outputFile(spec, "--out", out, force, List.of(image));
        if (format == Format.PNG && !target.isStream() && !out.toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw Usage.error(spec, "--out " + out + ": pictures are written as PNG; name the file *.png, or give --format npy");
        }
        try (InferenceModel loaded = forward.load(common.loadModel(model, common.device()), pixelLimit.value())) {
            ShuffleGrid grid = scramble ? scrambleGrid(loaded.getConfig()) : null;
            // the seed of predict --scramble for the same path: the run seed mixed with the name as typed
            long imageSeed = Scrambler.imageSeed(seed, typedImage().hashCode());
            AttentionMaps maps;
            try {
                maps = loaded.attention().maps(image, grid, imageSeed);
            } catch (IllegalArgumentException e) {
                if (grid == null) {
                    throw e;
                }
                throw Usage.error(spec, "--scramble-grid " + grid + ": " + e.getMessage());
            }
            if (format == Format.NPY) {
                target.writeBytes(Npy.toBytes(maps.shape(), maps.values()), System.out);
            } else {
                Common.writePng(target, maps.picture());
            }
            if (!target.isStdout()) {
                spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d layers x %d heads, %d tokens (%d prefix + %dx%d"
                        + " patches)%s -> %s%n", typedImage(), maps.layers(), maps.heads(), maps.tokens(), maps.prefix(),
                        maps.gridRows(), maps.gridCols(), grid == null ? "" : ", scrambled on " + grid,
                        format == Format.NPY ? out + " " + Arrays.toString(maps.shape()).replace('[', '(').replace(']', ')')
                                : out);
                spec.commandLine().getOut().flush();
            }
            return ExitCodes.OK;
        }
    }

    /** {@code --distance}: the mean attention distance of every layer and head over the --data images, one JSON line. */
    private int distance() throws Exception {
        if (image != null) {
            throw Usage.error(spec, "IMAGE " + image + ": --distance measures the --data images; give no IMAGE");
        }
        if (data == null) {
            throw Usage.error(spec, "--distance needs --data SPEC");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--format")) {
            throw Usage.error(spec, "--format " + format.name().toLowerCase(Locale.ROOT) + ": --distance prints JSON");
        }
        String dataProblem = DataSets.problem(data);
        if (dataProblem != null) {
            throw Usage.error(spec, "--data " + data + ": " + dataProblem);
        }
        if (!scramble && scrambleGrid != null) {
            throw Usage.error(spec, "--scramble-grid needs --scramble");
        }
        if (!scramble && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw Usage.error(spec, "--seed needs --scramble");
        }
        if (forward.precision() != Precision.FP32) {
            throw Usage.error(spec, "--precision " + forward.precision().cliName() + ": attention maps are computed in fp32 only");
        }
        OutputFile target = out == null ? null : Usage.outputFile(spec, "--out", out, force, List.of());
        try (VitModel m = common.loadModel(model, common.device()); InferenceForward f = forward.open(m)) {
            ViTConfig cfg = m.getConfig();
            ShuffleGrid grid = scramble ? scrambleGrid(cfg) : null;
            ImageDataset ds;
            try {
                ds = DataSets.open(data, dataDir, pixelLimit.loader(cfg.architecture().channels()), false);
            } catch (IOException e) {
                throw Usage.error(spec, "--data " + data + ": " + IoErrors.describe(e));
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--data " + data + ": " + e.getMessage());
            }
            Progress progress = new Progress(spec.commandLine().getErr(), common.quiet, "attention", ds.size());
            AttentionDistance.Result r = AttentionDistance.measure(f, cfg.preprocessor(), ds, batchSize, grid, seed,
                    done -> progress.update(done, null));
            progress.finish();
            PrintWriter err = spec.commandLine().getErr();
            r.skipped().forEach(err::println);
            err.flush();
            if (r.images() == 0) {
                throw new IOException("--data " + data + ": no image could be read");
            }
            String line = Json.line(json(ds, f, r)) + "\n";
            if (target == null || target.isStdout()) {
                spec.commandLine().getOut().print(line);
                spec.commandLine().getOut().flush();
            } else {
                target.writeBytes(line.getBytes(StandardCharsets.UTF_8), System.out);
            }
            return r.skipped().isEmpty() ? ExitCodes.OK : ExitCodes.SOME_FAILED;
        }
    }

    /** {@code {data, images, scramble, engine, layers, heads, distance: [[...]]}}, distances to 3 decimals. */
    private static JsonObject json(ImageDataset ds, InferenceForward f, AttentionDistance.Result r) {
        JsonObject o = new JsonObject();
        o.addProperty("data", ds.describe());
        o.addProperty("images", r.images());
        o.addProperty("scramble", r.scramble());
        o.addProperty("engine", f.engine().cliName());
        o.addProperty("layers", r.layers());
        o.addProperty("heads", r.heads());
        JsonArray rows = new JsonArray();
        for (double[] layer : r.distance()) {
            JsonArray row = new JsonArray();
            for (double v : layer) {
                row.add(Math.round(v * 1e3) / 1e3);
            }
            rows.add(row);
        }
        o.add("distance", rows);
        return o;
    }

    /** The shuffle grid: --scramble-grid, or the model's patch grid; checked against a fixed input size. */
    private ShuffleGrid scrambleGrid(ViTConfig cfg) {
        Architecture a = cfg.architecture();
        ShuffleGrid g = scrambleGrid == null ? new ShuffleGrid(a.grid().rows(), a.grid().cols()) : scrambleGrid;
        SizingPolicy sizing = cfg.preprocessing().sizing();
        boolean fixed = sizing == SizingPolicy.RESIZE || sizing == SizingPolicy.RESIZE_CROP;
        if (fixed && (a.imageHeight() % g.rows() != 0 || a.imageWidth() % g.cols() != 0)) {
            throw Usage.error(spec, "--scramble-grid " + g + ": does not divide the model's "
                    + a.imageHeight() + "x" + a.imageWidth() + " input");
        }
        return g;
    }

    /** The IMAGE argument as it was typed. */
    private String typedImage() {
        List<String> typed = spec.positionalParameters().get(0).originalStringValues();
        return typed.isEmpty() ? image.toString() : typed.get(typed.size() - 1);
    }
}
