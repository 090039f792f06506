package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vit4j.InvalidOptionException;
import org.vit4j.io.OutputFile;
import org.vit4j.io.Npy;
import org.vit4j.model.Architecture;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.Rope;
import org.vit4j.position.SimilarityMaps;
import org.vit4j.position.SinCosLayout;
import org.vit4j.position.SinCosTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code vit4j posemb}: a position-embedding table, and its cosine-similarity maps. For a rotary
 * kind the table is timm's rotation table {@code [sin | cos]} per patch ({@link Rope#embedding}), whose
 * row similarities are the attention logits of one rotated query against the same key at every patch.
 */
@Command(name = "posemb", mixinStandardHelpOptions = true,
        description = "Write a position-embedding table (one row per patch, row-major) and plot its similarity maps.")
final class PosembCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Option(names = "--kind", required = true, paramLabel = "KIND", converter = KindName.class,
            completionCandidates = Converters.PositionKindNames.class, description = "${COMPLETION-CANDIDATES}.")
    PositionEmbeddingKind kind;

    @Option(names = "--grid", paramLabel = "RxC", description = "Patch grid (default with --model: the model's).")
    ShuffleGrid grid;

    @Option(names = "--dim", paramLabel = "D", converter = Converters.PositiveInt.class,
            description = "Embedding width; for rope kinds the head width (default with --model: the model's).")
    Integer dim;

    @Option(names = "--block", defaultValue = "0", paramLabel = "I", description = "rope-mixed: the block whose frequencies to show (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(names = "--head", defaultValue = "0", paramLabel = "H", description = "rope-mixed: the head whose frequencies to show (default: ${DEFAULT-VALUE}).")
    int head;

    @Option(names = "--layout", defaultValue = "split", paramLabel = "LAYOUT", converter = Converters.LayoutName.class,
            completionCandidates = Converters.LayoutNames.class,
            description = "Sin-cos column layout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    SinCosLayout layout;

    @Option(names = "--model", paramLabel = "DIR", description = "For learned and rotary kinds: the model whose table to show (default for learned: the bundled model).")
    Path model;

    @Option(names = "--format", defaultValue = "csv", paramLabel = "csv|npy", converter = FormatName.class,
            description = "Table format (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "Table file (default: csv on stdout, unless --plot is given).")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE.png", converter = Converters.PngFile.class,
            description = "Cosine-similarity maps, as the ViT paper's figure 7.")
    Path plot;

    @Option(names = "--force", description = "Replace existing --out and --plot files.")
    boolean force;

    /** The largest table written: 2^28 values (1 GiB of float32). */
    static final long MAX_VALUES = 1L << 28;

    /** Table formats. */
    enum Format { CSV, NPY }

    /** {@code csv} or {@code npy}. */
    static final class FormatName extends Converters.Names<Format> {
        FormatName() {
            super(Format.class);
        }
    }

    /** A position-embedding kind, by the library's names. */
    static final class KindName implements ITypeConverter<PositionEmbeddingKind> {
        @Override
        public PositionEmbeddingKind convert(String s) {
            try {
                return PositionEmbeddingKind.fromName(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(Converters.validOnly(e));
            }
        }
    }


    @Override
    public Integer call() throws Exception {
        PositionEmbeddingKind k = kind;
        SinCosLayout lay = layout;
        if (format == Format.NPY && out == null) {
            throw Usage.error(spec, "--format npy needs --out FILE.npy");
        }
        if (k == PositionEmbeddingKind.LEARNED && (grid != null || dim != null)) {
            throw Usage.error(spec, "learned tables come from a model: use --model, not --grid/--dim");
        }
        if (k != PositionEmbeddingKind.LEARNED && !k.isRope() && model != null) {
            throw Usage.error(spec, "--model is for --kind learned or a rotary kind; --kind " + k.cliName() + " is computed from --grid and --dim");
        }
        if (k == PositionEmbeddingKind.ROPE_MIXED && model == null) {
            throw Usage.error(spec, "rope-mixed frequencies are learned: give --model DIR of a rope-mixed model");
        }
        if (k != PositionEmbeddingKind.LEARNED && model == null && (grid == null || dim == null)) {
            throw Usage.error(spec, "--kind " + k.cliName() + " needs --grid RxC and --dim D" + (k.isRope() ? " (head width), or --model" : ""));
        }
        long values = grid == null ? 0 : (long) grid.rows() * grid.cols() * dim; // long: 100000x100000 overflows an int
        if (values > MAX_VALUES) {
            throw Usage.error(spec, "--grid " + grid + ": with --dim " + dim + " the table has "
                    + values + " values, more than the " + MAX_VALUES + " written at most");
        }
        OutputFile tableOut = out == null ? null : Usage.outputFile(spec, "--out", out, force, inputs());
        OutputFile picture = plot == null ? null : Usage.outputFile(spec, "--plot", plot, force, inputs());
        if (tableOut != null && picture != null) {
            try {
                OutputFile.requireDistinct("--out", tableOut, "--plot", picture);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, e.getMessage());
            }
        }
        ai.djl.Device device = common.device(); // also refuses a --device this machine lacks
        float[][] table;
        int rows;
        int cols;
        String note = "";
        if (k.isRope()) {
            float[][] angles;
            if (model != null) {
                try (VitModel m = common.loadModel(model, device)) {
                    ViTConfig c = m.getConfig();
                    Architecture a = c.architecture();
                    if (a.rope() != k) {
                        throw new ModelLoadFailure("the model's position embedding is '" + a.positionName()
                                + "', not " + k.cliName(), null);
                    }
                    rows = grid == null ? a.grid().rows() : grid.rows();
                    cols = grid == null ? a.grid().cols() : grid.cols();
                    int hd = a.width() / a.heads();
                    angles = k == PositionEmbeddingKind.ROPE_MIXED
                            ? mixedAngles(m, c, rows, cols, hd)
                            : Rope.angles(k, rows, cols, hd, a.ropeTheta(), a.ropeIndexing());
                    table = Rope.embedding(angles, a.ropeLayout());
                    note = ", theta " + a.ropeTheta() + ", " + a.ropeLayout().cliName() + " pairs"
                            + (k == PositionEmbeddingKind.ROPE_MIXED ? ", block " + block + " head " + head : "");
                }
            } else {
                rows = grid.rows();
                cols = grid.cols();
                try {
                    angles = Rope.angles(k, rows, cols, dim, k.defaultRopeTheta(), k.defaultRopeIndexing());
                } catch (InvalidOptionException e) {
                    throw Usage.invalid(spec, e, Map.of("headDim", "--dim"));
                }
                table = Rope.embedding(angles, k.defaultRopeLayout());
                note = ", theta " + k.defaultRopeTheta() + ", " + k.defaultRopeLayout().cliName() + " pairs, "
                        + (k == PositionEmbeddingKind.ROPE_DINOV3
                                ? "periods " + brief(Rope.dinov3Periods(dim, k.defaultRopeTheta()))
                                : "frequencies " + brief(Rope.axialFrequencies(dim, k.defaultRopeTheta())))
                        + " per axis";
            }
        } else if (k == PositionEmbeddingKind.LEARNED) {
            if (grid != null || dim != null) {
                throw new IllegalArgumentException("learned tables come from a model: use --model, not --grid/--dim");
            }
            try (VitModel m = common.loadModel(model, device)) {
                Architecture a = m.getConfig().architecture();
                if (a.posEmb() != PositionEmbeddingKind.LEARNED) {
                    throw new ModelLoadFailure("the model's position embedding is '"
                            + a.positionName() + "', not a learned table", null);
                }
                rows = a.grid().rows();
                cols = a.grid().cols();
                int d = a.width();
                int prefix = a.classToken() ? 1 : 0;
                float[] flat = m.getBlock().getPositionEmbedding().getTable().getArray().toFloatArray();
                table = new float[rows * cols][d];
                for (int n = 0; n < rows * cols; n++) {
                    System.arraycopy(flat, (n + prefix) * d, table[n], 0, d);
                }
            }
        } else {
            if (grid == null || dim == null) {
                throw new IllegalArgumentException("--kind " + k.cliName() + " needs --grid RxC and --dim D");
            }
            rows = grid.rows();
            cols = grid.cols();
            if (k == PositionEmbeddingKind.NONE) {
                table = new float[rows * cols][dim];
            } else {
                try {
                    table = SinCosTables.table(k, rows, cols, dim, lay);
                } catch (InvalidOptionException e) {
                    throw Usage.invalid(spec, e, Map.of());
                }
            }
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (format == Format.NPY) {
            int d = table[0].length;
            float[] flat = new float[table.length * d];
            for (int n = 0; n < table.length; n++) {
                System.arraycopy(table[n], 0, flat, n * d, d);
            }
            tableOut.writeBytes(Npy.toBytes(new long[] {table.length, d}, flat), System.out);
        } else {
            StringBuilder sb = new StringBuilder();
            for (float[] row : table) {
                for (int d = 0; d < row.length; d++) {
                    sb.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.8g", row[d]));
                }
                sb.append('\n');
            }
            if ((out == null && plot == null) || (tableOut != null && tableOut.isStdout())) {
                stdout.print(sb);
                stdout.flush();
            } else if (out != null) {
                tableOut.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8), System.out);
            }
        }
        if (plot != null) {
            int cell = Math.max(2, 96 / Math.max(rows, cols));
            Common.writePng(picture, SimilarityMaps.render(table, rows, cols, cell));
        }
        if (out != null || plot != null) {
            stdout.printf(Locale.ROOT, "%s table %dx%d grid, D=%d%s%s%s%n", k.cliName(), rows, cols, table[0].length,
                    note, out == null ? "" : " -> " + out, plot == null ? "" : ", plot -> " + plot);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** The files the table is read from: the model's, when one is given. */
    private List<Path> inputs() {
        List<Path> in = new ArrayList<>();
        if (model != null && Files.isDirectory(model)) {
            try (Stream<Path> s = Files.list(model)) {
                s.forEach(in::add);
            } catch (IOException e) {
                // an unreadable model directory is reported when it is loaded
            }
        }
        return in;
    }

    /** Up to 4 values with 3 significant digits, then the last: {@code [1, 0.562, 0.316, ..., 0.0133]}. */
    private static String brief(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            if (i == 4 && v.length > 5) {
                sb.append(", ...");
                i = v.length - 1;
            }
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", v[i]));
        }
        return sb.append(']').toString();
    }

    /** One head's RoPE-Mixed angles from the model's {@code rope.freqs (2, depth, H, hd/2)}. */
    private float[][] mixedAngles(VitModel m, ViTConfig c, int rows, int cols, int hd) {
        Architecture a = c.architecture();
        if (block < 0 || block >= a.depth() || head < 0 || head >= a.heads()) {
            throw new IllegalArgumentException("--block " + block + " --head " + head + " is outside the model's "
                    + a.depth() + " blocks x " + a.heads() + " heads");
        }
        float[] f = m.getBlock().getRotaryEmbedding().getFreqs().getArray().toFloatArray();
        int half = hd / 2;
        int at = (block * a.heads() + head) * half;
        int y = a.depth() * a.heads() * half;
        return Rope.mixedAngles(java.util.Arrays.copyOfRange(f, at, at + half),
                java.util.Arrays.copyOfRange(f, y + at, y + at + half), rows, cols, a.ropeIndexing());
    }
}
