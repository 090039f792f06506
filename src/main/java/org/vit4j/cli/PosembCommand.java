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
import org.vit4j.model.ModelPositionTable;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionTable;
import org.vit4j.position.SimilarityMaps;
import org.vit4j.position.SinCosLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code vit4j posemb}: a position-embedding table, and its cosine-similarity maps. For a rotary
 * kind the table is timm's rotation table {@code [sin | cos]} per patch ({@link PositionTable}), whose
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
        if (grid != null && dim != null) {
            try {
                PositionTable.requireSize(grid.rows(), grid.cols(), dim);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--grid " + grid + ": " + e.getMessage());
            }
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
        PositionTable table;
        try {
            table = model == null && k != PositionEmbeddingKind.LEARNED
                    ? PositionTable.of(k, grid.rows(), grid.cols(), dim, layout)
                    : modelTable(device);
        } catch (InvalidOptionException e) {
            throw Usage.invalid(spec, e, Map.of("headDim", "--dim"));
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (format == Format.NPY) {
            tableOut.writeBytes(Npy.toBytes(new long[] {table.values().length, table.dim()}, table.flat()), System.out);
        } else if ((out == null && plot == null) || (tableOut != null && tableOut.isStdout())) {
            stdout.print(table.toCsv());
            stdout.flush();
        } else if (out != null) {
            tableOut.writeBytes(table.toCsv().getBytes(StandardCharsets.UTF_8), System.out);
        }
        if (plot != null) {
            int cell = Math.max(2, 96 / Math.max(table.rows(), table.cols()));
            Common.writePng(picture, SimilarityMaps.render(table.values(), table.rows(), table.cols(), cell));
        }
        if (out != null || plot != null) {
            stdout.printf(Locale.ROOT, "%s table %dx%d grid, D=%d%s%s%s%n", k.cliName(), table.rows(), table.cols(),
                    table.dim(), table.note(), out == null ? "" : " -> " + out, plot == null ? "" : ", plot -> " + plot);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** The table of the model (the bundled one for a learned table without --model). */
    private PositionTable modelTable(ai.djl.Device device) throws ModelLoadFailure {
        try (VitModel m = common.loadModel(model, device)) {
            return ModelPositionTable.of(m, kind, grid == null ? 0 : grid.rows(), grid == null ? 0 : grid.cols(),
                    block, head);
        } catch (IllegalStateException e) {
            throw new ModelLoadFailure(e.getMessage(), e);
        }
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
}
