package org.vit4j.spark.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.hadoop.util.ShutdownHookManager;
import org.vit4j.cli.Converters;
import org.vit4j.cli.ExitCodes;
import org.vit4j.io.IoErrors;
import org.vit4j.io.OutputDirectory;
import org.vit4j.io.RefusedOutputException;
import org.vit4j.spark.ModelFailureListener;
import org.vit4j.spark.ModelUnavailableException;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.spark.VitClassifierTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vit4j spark predict}: lists the input files with Spark's {@code binaryFile} source (paths
 * only; each task reads its own files, so a task's retry reads them again), classifies them with {@link VitClassifierTransformer},
 * writes {@code path, label, index, probability, top_k, [pooled,] error} as Parquet or JSON, and
 * prints {@code N rows, E errors, X images/s}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify images on Spark and write one row per image (Parquet or JSON).")
final class PredictJob implements Callable<Integer> {

    /** The extensions {@code vit4j predict} looks for in directories, as a Hadoop glob (both cases). */
    static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp");

    /** Default task size: enough tasks to spread the work, few enough that start-up stays small. */
    static final int FILES_PER_TASK = 1000;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[*] (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory: local path or Hadoop URI (default: the bundled Fashion-MNIST model).")
    String model;

    @Option(names = "--input", required = true, paramLabel = "PATH_OR_GLOB",
            description = "Image file, directory (searched recursively for image files) or glob; any Hadoop URI.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory (must not exist).")
    String output;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--pooled", description = "Also write each image's pooled vector (D), the head's input, as column pooled.")
    boolean pooled;

    @Option(names = "--engine", defaultValue = "compiled", paramLabel = "compiled|eager",
            description = "Forward: the compiled TorchScript program (eager where the model does not compile)"
                    + " or the eager DJL blocks (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16|int8|auto",
            description = "Number format of the compiled forward; int8: int8 linear layers, CPU only (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--top-k", defaultValue = "3", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "Classes listed per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--partitions", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Tasks to split the files into (default: the cores, or one per " + FILES_PER_TASK + " files if more).")
    Integer partitions;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu|auto", description = "Where to compute (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "Engine operator threads per executor JVM (default: all cores).")
    int threads;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces with errors.")
    boolean verbose;

    /** The master URLs Spark accepts: local modes, a standalone, Mesos or Kubernetes master, YARN. */
    static final Pattern MASTER = Pattern.compile(
            "local(\\[(\\*|[1-9]\\d*)(,[1-9]\\d*)?])?|local-cluster\\[\\d+,\\d+,\\d+]|(spark|mesos|k8s)://.+|yarn");

    @Override
    public Integer call() throws Exception {
        // every option is checked before Spark starts, in the words of vit4j's usage errors
        if (!format.equals("parquet") && !format.equals("json")) {
            throw usage("--format " + format + ": valid: parquet, json");
        }
        if (threads < 0) {
            throw usage("--threads " + threads + ": must be at least 0 (0: all cores)");
        }
        if (!List.of("cpu", "gpu", "auto").contains(device)) {
            throw usage("--device " + device + ": valid: cpu, gpu, auto");
        }
        if (master != null && !MASTER.matcher(master).matches()) {
            throw usage("--master " + master + ": not a Spark master URL (local[*], local[N], spark://HOST:PORT, yarn, k8s://URL)");
        }
        checkInput();
        checkOutput();
        long t0 = System.nanoTime();
        // a session that already runs (a test, a notebook) is used and left running
        boolean ours = SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty();
        SparkSession spark = session();
        try {
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            return run(spark, startSeconds);
        } finally {
            if (ours) {
                spark.stop();
            }
        }
    }

    private SparkSession session() {
        SparkConf conf = new SparkConf().setAppName("vit4j spark predict");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        // DJL offline on every executor, as in the launcher (ExecutorModels also sets the properties)
        conf.setIfMissing("spark.executorEnv.DJL_OFFLINE", "true");
        conf.setIfMissing("spark.executorEnv.OPT_OUT_TRACKING", "true");
        conf.setIfMissing("spark.executorEnv.MKL_CBWR", "AUTO,STRICT");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private picocli.CommandLine.ParameterException usage(String message) {
        return new picocli.CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * Refuses an output Spark could not or should not write, before Spark starts: one that
     * exists (Spark writes a new directory), is the input, or, on the local file system, whose
     * parent is missing or unwritable. What an interrupted run left (an empty directory, or one
     * holding only Spark's {@code _temporary}) is removed, so that it never blocks the rerun.
     */
    private void checkOutput() throws IOException {
        URI uri = new Path(output).toUri();
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            return; // another file system: checked by Spark, with the session's configuration
        }
        java.nio.file.Path local = java.nio.file.Path.of(uri.getPath());
        if (java.nio.file.Files.isDirectory(local) && isUnfinished(local)) {
            deleteTree(local);
            if (!java.nio.file.Files.exists(local)) {
                spec.commandLine().getErr().println("vit4j spark predict: note: removed " + output
                        + ", the unfinished output of an interrupted run");
            }
        }
        if (java.nio.file.Files.exists(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw usage("--output " + output + ": exists; choose a new directory (Spark writes a new one)");
        }
        List<java.nio.file.Path> inputs = new ArrayList<>();
        URI in = new Path(input).toUri();
        if (in.getScheme() == null || in.getScheme().equals("file")) {
            inputs.add(java.nio.file.Path.of(in.getPath()));
        }
        try {
            OutputDirectory.of(local.toString(), false, inputs);
        } catch (RefusedOutputException e) {
            throw usage("--output " + output + e.getMessage().substring(local.toString().length()));
        }
    }

    /**
     * Refuses a local input that names nothing, before Spark starts (which takes seconds): a path
     * or glob of the local file system (no scheme, where the default file system is the local
     * one, or {@code file:}) must match something. Another file system's input is listed by Spark,
     * with the session's configuration.
     */
    private void checkInput() throws IOException {
        Path p = new Path(input);
        // core-site.xml from the class path, as the session's Hadoop configuration starts from it
        Configuration conf = new Configuration();
        String scheme = p.toUri().getScheme() != null ? p.toUri().getScheme() : FileSystem.getDefaultUri(conf).getScheme();
        if (scheme != null && !scheme.equals("file")) {
            return;
        }
        FileStatus[] matched = FileSystem.getLocal(conf).globStatus(p);
        if (matched == null || matched.length == 0) {
            throw usage("--input " + input + ": " + IoErrors.NO_SUCH_FILE);
        }
    }

    /** Whether a directory holds nothing but what an interrupted Spark write leaves (no {@code _SUCCESS}). */
    static boolean isUnfinished(java.nio.file.Path dir) throws IOException {
        try (var s = java.nio.file.Files.list(dir)) {
            return s.allMatch(p -> p.getFileName().toString().equals("_temporary"));
        }
    }

    private static void deleteTree(java.nio.file.Path dir) throws IOException {
        try (var s = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    /** Deletes the output of a write that did not finish (no {@code _SUCCESS}); true if there was one. */
    static boolean removeUnfinished(FileSystem fs, Path out) {
        try {
            if (fs.exists(out) && !fs.exists(new Path(out, "_SUCCESS"))) {
                return fs.delete(out, true);
            }
        } catch (IOException | RuntimeException e) {
            // the file system is closing (the JVM is shutting down): nothing more can be done
        }
        return false;
    }

    private int run(SparkSession spark, double startSeconds) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path outPath = new Path(output);
        FileSystem outFs = outPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (outFs.exists(outPath)) {
            throw usage("--output " + output + ": exists; choose a new directory (Spark writes a new one)");
        }
        Dataset<Row> files = listFiles(spark);
        VitClassifierTransformer clf = new VitClassifierTransformer().setTopK(topK);
        clf.setModelDir(model).setInputCol("path").setPathCol("path").setBatchSize(batchSize)
                .setDevice(device).setThreads(threads)
                .setEngine(ForwardEngine.fromName(engine).cliName())
                .setPrecision(Precision.fromName(precision).cliName());
        if (pooled) {
            clf.setPooledCol("pooled");
        }
        List<Column> cols = new ArrayList<>();
        for (String c : pooled ? List.of("path", "label", "index", "probability", "top_k", "pooled", "error")
                : List.of("path", "label", "index", "probability", "top_k", "error")) {
            cols.add(functions.col(c));
        }
        Dataset<Row> result = clf.transform(files).select(cols.toArray(new Column[0]));
        ModelFailureListener listener = ModelFailureListener.register(spark.sparkContext());
        TaskTimes tasks = new TaskTimes();
        spark.sparkContext().addSparkListener(tasks);
        long t = System.nanoTime();
        // Ctrl-C: after Spark's own hook has stopped the tasks, and before Hadoop closes its file
        // systems, the unfinished output is removed, so that it does not block the rerun
        AtomicBoolean interrupted = new AtomicBoolean();
        Runnable cleanup = () -> {
            interrupted.set(true);
            removeUnfinished(outFs, outPath);
        };
        ShutdownHookManager.get().addShutdownHook(cleanup, SHUTDOWN_PRIORITY);
        try {
            result.write().format(format).save(output);
        } catch (Exception e) { // Spark's own SparkException is checked in Java's terms, thrown all the same
            boolean removed = removeUnfinished(outFs, outPath);
            if (listener.firstError() != null) {
                throw new ModelUnavailableException(listener.firstError(), e);
            }
            String left = removed ? "; the unfinished " + output + " was removed" : "";
            if (interrupted.get() || ShutdownHookManager.get().isShutdownInProgress()) {
                throw new IOException("interrupted" + left, e);
            }
            throw new IOException("the Spark job failed: " + reason(e) + left, e);
        } finally {
            if (!ShutdownHookManager.get().isShutdownInProgress()) {
                ShutdownHookManager.get().removeShutdownHook(cleanup);
            }
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        // task-end events arrive asynchronously: let the bus deliver the write's before reading them
        // (LiveListenerBus is Spark-internal, public in bytecode; Spark's own tests wait the same way)
        try {
            spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
        } catch (TimeoutException e) {
            // the task times below then cover the tasks reported so far
        }
        spark.sparkContext().removeSparkListener(tasks);
        Row counts = spark.read().schema(result.schema()).format(format).load(output)
                .agg(functions.count(functions.lit(1)), functions.count(functions.col("error"))).first();
        long rows = counts.getLong(0);
        long errors = counts.getLong(1);
        out.printf(Locale.ROOT, "%d rows, %d errors, %.1f images/s (%.2f s; Spark start %.2f s; %s) -> %s%n",
                rows, errors, rows / seconds, seconds, startSeconds, tasks.summary(), output);
        out.flush();
        if (rows == 0) {
            spec.commandLine().getErr().println("vit4j spark predict: " + input
                    + ": no image files found (looked for " + String.join(", ", EXTENSIONS) + ")");
            return ExitCodes.SOME_FAILED;
        }
        return errors > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
    }

    /** Spark stops its context at priority 50, Hadoop closes file systems at 10: between the two. */
    static final int SHUTDOWN_PRIORITY = 30;

    /**
     * Why a job failed, in one line: the message of the failure underneath Spark's wrapping (a
     * task's own exception), else the first line of Spark's (which carries the remote stack trace).
     */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : e.getMessage() != null ? e.getMessage() : e.toString();
        return m.lines().findFirst().orElse(m).strip();
    }

    /**
     * The input's files as one {@code path} column (Hadoop path strings, as {@code binaryFile}
     * writes them), a directory searched recursively for image files. Spark lists them (in
     * parallel for many directories); the list is taken from the file index rather than scanned,
     * because a scan drops empty files, which must get their error row.
     */
    private Dataset<Row> listFiles(SparkSession spark) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        FileStatus[] matched = fs.globStatus(p);
        if (matched == null || matched.length == 0) {
            throw usage("--input " + input + ": " + IoErrors.NO_SUCH_FILE);
        }
        var reader = spark.read().format("binaryFile");
        if (matched.length == 1 && matched[0].isDirectory()) {
            reader = reader.option("recursiveFileLookup", "true").option("pathGlobFilter", imageGlob());
        }
        List<String> paths = new ArrayList<>();
        for (String uri : reader.load(input).inputFiles()) {
            paths.add(new Path(URI.create(uri)).toString());
        }
        int n = partitions != null ? partitions
                : Math.max(spark.sparkContext().defaultParallelism(), (paths.size() + FILES_PER_TASK - 1) / FILES_PER_TASK);
        // parallelize: n contiguous slices, no shuffle, so the job is one stage of n tasks
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(paths, Math.max(1, Math.min(n, paths.size()))).map(RowFactory::create);
        return spark.createDataFrame(rows, new StructType().add("path", DataTypes.StringType, false));
    }

    /**
     * The image extensions as one Hadoop glob (which has no case-insensitive flag).
     *
     * @return {@code *.{[jJ][pP][gG],...}}
     */
    static String imageGlob() {
        List<String> alternatives = new ArrayList<>();
        for (String ext : EXTENSIONS) {
            StringBuilder sb = new StringBuilder();
            for (char c : ext.toCharArray()) {
                sb.append('[').append(c).append(Character.toUpperCase(c)).append(']');
            }
            alternatives.add(sb.toString());
        }
        return "*.{" + String.join(",", alternatives) + "}";
    }
}
