package org.vit4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.Embeddings;
import org.vit4j.infer.TensorInput;
import org.vit4j.infer.VitClassifier;
import org.vit4j.io.OutputFile;
import org.vit4j.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vit4j embed}: image embeddings (pooled, patch tokens or all tokens) as .npy or JSON lines. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed images (files, directories searched recursively, or - for paths on stdin) with the encoder.")
final class EmbedCommand implements Callable<Integer> {

    private static final Gson GSON = new Gson();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin ForwardOptions forward;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled Fashion-MNIST model).")
    Path model;

    @Option(names = "--tokens", defaultValue = "pooled", paramLabel = "pooled|patch|all",
            description = "pooled (B, D): the head's input; patch (B, N, D): patch tokens after the final norm;"
                    + " all (B, T, D): timm's forward_features, prefix tokens first (default: ${DEFAULT-VALUE}).")
    String tokens;

    @Option(names = "--format", defaultValue = "npy", paramLabel = "npy|jsonl", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Output file; - for stdout, a FIFO or device is written as a stream, a link through to its target.")
    Path out;

    @Option(names = "--force", description = "Replace an existing --out file.")
    boolean force;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--tensor", paramLabel = "FILE.npy", description = "A preprocessed float32 (B, C, H, W) array instead of images.")
    Path tensor;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Image files, directories, or - (paths on stdin).")
    List<String> paths = new ArrayList<>();

    @Option(names = {"-0", "--null"}, description = "Paths on stdin (-) end with NUL, as find -print0 writes them.")
    boolean nulSeparated;

    @Override
    public Integer call() throws Exception {
        Embeddings.Tokens which = Embeddings.Tokens.fromName(tokens);
        if (!format.equals("npy") && !format.equals("jsonl")) {
            throw new IllegalArgumentException("--format '" + format + "' is not one of npy, jsonl");
        }
        if ((tensor == null) == paths.isEmpty()) {
            throw new IllegalArgumentException("give image PATHs or --tensor FILE.npy (one of the two)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
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
        OutputFile target = Usage.outputFile(spec, "--out", out, force, read);
        PrintWriter err = spec.commandLine().getErr();
        try (VitClassifier clf = forward.classifier(common.loadModel(model, common.device()))) {
            List<String> names = new ArrayList<>();
            List<PreprocessedImage> images = new ArrayList<>();
            boolean failed = tensor != null ? readTensor(clf, names, images, err) : readImages(clf, inputs, names, images, err);
            List<float[]> rows = new ArrayList<>();
            long[] rowShape = null;
            for (int start = 0; start < images.size(); start += batchSize) {
                List<PreprocessedImage> batch = images.subList(start, Math.min(images.size(), start + batchSize));
                for (List<PreprocessedImage> same : bySize(batch)) {
                    rowShape = embed(clf, same, which, rows, rowShape);
                }
            }
            write(target, names, rows, rowShape, which);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "embedded %d image(s): %s %s -> %s%n", rows.size(), which.cliName(),
                    shape(rows.size(), rowShape), out);
            stdout.flush();
            return failed ? ExitCodes.SOME_FAILED : ExitCodes.OK;
        }
    }

    private static String shape(int n, long[] row) {
        long[] s = new long[(row == null ? 1 : row.length) + 1];
        s[0] = n;
        if (row != null) {
            System.arraycopy(row, 0, s, 1, row.length);
        }
        return Arrays.toString(s).replace('[', '(').replace(']', ')');
    }

    /** Runs one forward pass over images of one size; checks that every row has one shape (npy). */
    private long[] embed(VitClassifier clf, List<PreprocessedImage> same, Embeddings.Tokens which,
            List<float[]> rows, long[] rowShape) {
        PreprocessedImage first = same.get(0);
        float[] data = new float[same.size() * first.data().length];
        for (int i = 0; i < same.size(); i++) {
            System.arraycopy(same.get(i).data(), 0, data, i * first.data().length, first.data().length);
        }
        try (NDManager m = clf.getModel().newManager()) {
            NDArray x = m.create(data, new Shape(same.size(), first.channels(), first.height(), first.width()));
            NDArray e = Embeddings.compute(clf.getModel(), x, which); // (B, D) or (B, T, D)
            long[] s = e.getShape().getShape();
            long[] row = Arrays.copyOfRange(s, 1, s.length);
            if (rowShape != null && !Arrays.equals(row, rowShape) && format.equals("npy")) {
                throw new IllegalArgumentException("images of different sizes give " + which.cliName() + " tokens "
                        + Arrays.toString(rowShape) + " and " + Arrays.toString(row)
                        + ", which do not stack into one .npy; use --format jsonl or --tokens pooled");
            }
            float[] flat = e.toFloatArray();
            int per = flat.length / same.size();
            for (int i = 0; i < same.size(); i++) {
                rows.add(Arrays.copyOfRange(flat, i * per, (i + 1) * per));
            }
            return rowShape != null ? rowShape : row;
        }
    }

    private void write(OutputFile target, List<String> names, List<float[]> rows, long[] rowShape, Embeddings.Tokens which)
            throws IOException {
        if (format.equals("npy")) {
            long[] s = new long[(rowShape == null ? 1 : rowShape.length) + 1];
            s[0] = rows.size();
            if (rowShape != null) {
                System.arraycopy(rowShape, 0, s, 1, rowShape.length);
            }
            int per = rows.isEmpty() ? 0 : rows.get(0).length;
            float[] flat = new float[rows.size() * per];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, flat, i * per, per);
            }
            target.writeBytes(Npy.toBytes(s, flat), System.out);
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("path", names.get(i));
            o.addProperty("tokens", which.cliName());
            o.add("embedding", GSON.toJsonTree(rows.get(i)));
            sb.append(GSON.toJson(o)).append('\n');
        }
        target.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8), System.out);
    }

    /** Groups images of one size, keeping order within each group. */
    private static List<List<PreprocessedImage>> bySize(List<PreprocessedImage> batch) {
        List<List<PreprocessedImage>> groups = new ArrayList<>();
        for (PreprocessedImage p : batch) {
            List<PreprocessedImage> g = groups.stream()
                    .filter(l -> l.get(0).height() == p.height() && l.get(0).width() == p.width())
                    .findFirst().orElse(null);
            if (g == null) {
                g = new ArrayList<>();
                groups.add(g);
            }
            g.add(p);
        }
        return groups;
    }

    private boolean readImages(VitClassifier clf, List<Inputs.Input> inputs, List<String> names,
            List<PreprocessedImage> images, PrintWriter err) {
        Object[] pre = new Object[inputs.size()];
        // decode and preprocess in parallel; each result is an image or an error message
        IntStream.range(0, inputs.size()).parallel().forEach(i -> pre[i] = preprocess(clf, inputs.get(i)));
        boolean failed = false;
        List<PreprocessedImage> ok = new ArrayList<>();
        List<String> okNames = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (pre[i] instanceof PreprocessedImage p) {
                ok.add(p);
                okNames.add(inputs.get(i).name());
            } else {
                failed = true;
                err.println(inputs.get(i).name() + ": " + pre[i]);
            }
        }
        err.flush();
        // rows are written grouped by size within each batch: keep names in that order
        for (int start = 0; start < ok.size(); start += batchSize) {
            int end = Math.min(ok.size(), start + batchSize);
            for (List<PreprocessedImage> g : bySize(ok.subList(start, end))) {
                for (PreprocessedImage p : g) {
                    int j = indexOf(ok, p, start, end);
                    names.add(okNames.get(j));
                }
            }
        }
        images.addAll(ok);
        return failed;
    }

    private static int indexOf(List<PreprocessedImage> list, PreprocessedImage p, int from, int to) {
        for (int i = from; i < to; i++) {
            if (list.get(i) == p) {
                return i;
            }
        }
        throw new IllegalStateException("image not in its batch");
    }

    private static Object preprocess(VitClassifier clf, Inputs.Input in) {
        if (in.error() != null) {
            return in.error();
        }
        try {
            return clf.preprocess(in.path());
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            String prefix = in.path().toString() + ": ";
            return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
        } catch (OutOfMemoryError e) {
            return "not enough memory to decode this image";
        }
    }

    private boolean readTensor(VitClassifier clf, List<String> names, List<PreprocessedImage> images, PrintWriter err)
            throws IOException {
        boolean failed = false;
        for (TensorInput.Row r : TensorInput.read(tensor, clf.getModel().getConfig())) {
            if (r.error() != null) {
                failed = true;
                err.println(r.name() + ": " + r.error());
                continue;
            }
            names.add(r.name());
            images.add(r.image());
        }
        err.flush();
        return failed;
    }
}
