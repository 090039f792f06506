package org.vit4j.cli;

import com.google.gson.JsonObject;
import org.vit4j.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.Embedding;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.Outcome;
import org.vit4j.infer.TensorInput;
import org.vit4j.infer.TokenKind;
import org.vit4j.infer.VitEncoder;
import org.vit4j.io.OutputFile;
import org.vit4j.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code vit4j embed}: one of the three {@link TokenKind}s per image, as .npy (rows in input order,
 * their paths in a file beside it) or JSON lines.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed images (files, directories searched recursively, or - for paths on stdin):"
                + " embedded tokens, encoded tokens or the pooled vector.")
final class EmbedCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin ForwardOptions forward;

    @Mixin BatchPartsOption batchParts;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled Fashion-MNIST model).")
    Path model;

    @Option(names = "--tokens", defaultValue = "pooled", paramLabel = "pooled|encoded|embedded", converter = TokensName.class,
            description = "pooled (B, D): the vector the head reads (timm's forward_head(pre_logits=True));"
                    + " encoded (B, T, D): tokens after the encoder and its final norm (timm's forward_features);"
                    + " embedded (B, T, D): the tokens the encoder reads, the patch embeddings (patch projection)"
                    + " plus the position embedding (default: ${DEFAULT-VALUE}).")
    TokenKind kind;

    @Option(names = "--prefix", description = "With encoded or embedded: keep the class and register tokens,"
            + " first (T = prefix + N); without it T = N, the patch tokens in row-major order.")
    boolean prefix;

    @Option(names = "--format", defaultValue = "npy", paramLabel = "npy|jsonl", converter = FormatName.class,
            description = "npy: one float32 array, one row per embedded image in input order, and beside it a"
                    + " paths file (e.npy: e.paths.txt) naming each row's image, one per line; jsonl: one line per"
                    + " input with its path and embedding, or its error (default: ${DEFAULT-VALUE}).")
    Format format;

    /** Output formats. */
    enum Format { NPY, JSONL }

    /** {@code npy} or {@code jsonl}. */
    static final class FormatName extends Converters.Names<Format> {
        FormatName() {
            super(Format.class);
        }
    }

    /** {@code pooled}, {@code encoded} or {@code embedded} (the former {@code patch-embeddings} refused with its new name). */
    static final class TokensName implements ITypeConverter<TokenKind> {
        @Override
        public TokenKind convert(String s) {
            try {
                return TokenKind.fromName(s);
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                int renamed = m.indexOf("now called"); // the former name patch-embeddings
                throw new TypeConversionException(renamed >= 0 ? m.substring(renamed) : Converters.validOnly(e));
            }
        }
    }

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Output file; - for stdout, a FIFO or device is written as a stream, a link through to its target.")
    Path out;

    @Option(names = "--force", description = "Replace an existing --out file.")
    boolean force;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", converter = Converters.PositiveInt.class, description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--tensor", paramLabel = "FILE.npy", description = "A preprocessed float32 (B, C, H, W) array instead of images.")
    Path tensor;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Image files, directories, or - (paths on stdin).")
    List<String> paths = new ArrayList<>();

    @Option(names = {"-0", "--null"}, description = "Paths on stdin (-) end with NUL, as find -print0 writes them.")
    boolean nulSeparated;

    @Override
    public Integer call() throws Exception {
        if ((tensor == null) == paths.isEmpty()) {
            throw Usage.error(spec, "give image PATHs or --tensor FILE.npy (one of the two)");
        }
        if (prefix && !kind.isTokens()) {
            throw Usage.error(spec, "--prefix needs --tokens encoded or embedded; pooled is one vector");
        }
        // the inputs are listed before any work, so that an output among them is refused
        List<Inputs.Input> inputs = Inputs.listed(spec, paths, tensor, nulSeparated);
        List<Path> read = Inputs.read(inputs, tensor);
        OutputFile target = Usage.outputFile(spec, "--out", out, force, read);
        // the npy rows' names go to a file beside a file output; a stream has no "beside"
        OutputFile pathsTarget = null;
        if (format == Format.NPY && !target.isStream()) {
            pathsTarget = Usage.outputFile(spec, "--out", pathsFile(out), force, read);
        }
        PrintWriter err = spec.commandLine().getErr();
        try (InferenceModel loaded = forward.load(common.loadModel(model, common.device()), batchParts.value())) {
            VitEncoder encoder = loaded.encoder(prefix);
            List<Outcome<Embedding>> results = new ArrayList<>();
            if (tensor != null) {
                embed(encoder, kind, TensorInput.read(tensor, loaded.getConfig()), results, err);
            } else {
                List<Outcome<Path>> files = inputs.stream()
                        .map(in -> in.error() == null ? Outcome.of(in.name(), in.path())
                                : Outcome.<Path>failed(in.name(), in.error()))
                        .toList();
                for (int start = 0; start < files.size(); start += batchSize) {
                    List<Outcome<Path>> batch = files.subList(start, Math.min(files.size(), start + batchSize));
                    embed(encoder, kind, loaded.readAll(batch), results, err);
                }
            }
            List<Outcome<Embedding>> rows = results.stream().filter(Outcome::ok).toList();
            long[] shape = shape(kind, rows, encoder.shape(kind));
            String written = format == Format.NPY ? writeNpy(target, pathsTarget, rows, shape) : writeJsonLines(target, results, kind);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "embedded %d image(s): %s %s -> %s%n", rows.size(), kind.cliName(),
                    Arrays.toString(shape).replace('[', '(').replace(']', ')'), written);
            stdout.flush();
            return rows.size() < results.size() ? ExitCodes.SOME_FAILED : ExitCodes.OK;
        }
    }

    /** Embeds one batch of inputs (mixed sizes are grouped by the library), naming each failure on stderr. */
    private static void embed(VitEncoder encoder, TokenKind kind, List<Outcome<PreprocessedImage>> batch,
            List<Outcome<Embedding>> results, PrintWriter err) {
        for (Outcome<Embedding> r : Outcome.mapAll(batch, images -> encoder.embed(images, kind))) {
            if (!r.ok()) {
                err.println(r.name() + ": " + r.error());
            }
            results.add(r);
        }
        err.flush();
    }

    /**
     * The shape of the output array.
     *
     * @param nominal one row's shape at the model's input size, the shape of the rows when there are none
     * @return {@code (rows, D)} or {@code (rows, T, D)}; {@code (0, D)} or {@code (0, T, D)} without rows
     * @throws IllegalArgumentException for the npy format if images of different sizes give different T
     */
    private long[] shape(TokenKind kind, List<Outcome<Embedding>> rows, long[] nominal) {
        long[] row = rows.isEmpty() ? nominal : rows.get(0).value().shape();
        for (Outcome<Embedding> r : rows) {
            long[] s = r.value().shape();
            if (!Arrays.equals(s, row) && format == Format.NPY) {
                throw new IllegalArgumentException("--format npy: images of different sizes give " + kind.cliName() + " tokens "
                        + Arrays.toString(row) + " (" + rows.get(0).name() + ") and " + Arrays.toString(s) + " ("
                        + r.name() + "), which do not stack into one .npy; use --format jsonl or --tokens pooled");
            }
        }
        long[] s = new long[row.length + 1];
        s[0] = rows.size();
        System.arraycopy(row, 0, s, 1, row.length);
        return s;
    }

    /**
     * The file beside an .npy output that names its rows: {@code X.npy} → {@code X.paths.txt}.
     *
     * @param npy the array's path
     * @return the paths file's path
     */
    static Path pathsFile(Path npy) {
        String name = npy.getFileName().toString();
        String stem = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        return npy.resolveSibling(stem + ".paths.txt");
    }

    /**
     * Writes the rows in input order and, beside them (unless the output is a stream), their
     * inputs' names; returns what was written.
     */
    private String writeNpy(OutputFile target, OutputFile pathsTarget, List<Outcome<Embedding>> rows, long[] shape)
            throws IOException {
        int per = rows.isEmpty() ? 0 : rows.get(0).value().values().length;
        float[] flat = new float[rows.size() * per];
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i).value().values(), 0, flat, i * per, per);
            names.append(rows.get(i).name()).append('\n');
        }
        target.writeBytes(Npy.toBytes(shape, flat), System.out);
        if (pathsTarget == null) {
            return target.name() + " (a stream: no row-order file; --format jsonl names every row)";
        }
        pathsTarget.writeBytes(names.toString().getBytes(StandardCharsets.UTF_8), System.out);
        return target.name() + " (row order: " + pathsTarget.name() + ")";
    }

    /** Writes one line per input, in input order: its embedding or its error. */
    private String writeJsonLines(OutputFile target, List<Outcome<Embedding>> results, TokenKind kind)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Outcome<Embedding> r : results) {
            JsonObject o = new JsonObject();
            o.addProperty("path", r.name());
            if (r.ok()) {
                o.addProperty("tokens", kind.cliName());
                o.add("embedding", kind.isTokens() ? Json.rows(r.value().rows()) : Json.numbers(r.value().values()));
            } else {
                o.addProperty("error", r.error());
            }
            sb.append(Json.line(o)).append('\n');
        }
        target.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8), System.out);
        return target.name();
    }
}
