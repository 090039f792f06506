package org.vit4j.spark;

import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ModelDirectory;

/**
 * What the vit4j stages share: where the model is, which column holds the images, how they are
 * batched, and where errors go. Subclasses say which columns they append ({@link #outputColumns})
 * and how many classes they list ({@link #topKValue}).
 *
 * <p>{@link #transform} first reads and checks the model's files on the driver (config, labels,
 * checksums; the engine is not started), so a model that cannot be read fails at once with the
 * CLI's {@code cannot load model: ...} message; on the executors the model is loaded once per JVM
 * ({@link ExecutorModels}) and a load failure there cancels the stage at its first task
 * ({@link ModelFailureListener}).
 */
public abstract class VitTransformer extends Transformer {

    private static final long serialVersionUID = 1L;

    /** The stage's unique id. */
    private final String uid;

    /** Model directory: a local path, a Hadoop URI, or empty for the bundled model. Default empty. */
    private final Param<String> modelDir;
    /** Input column: binary image content, or file paths / URIs. Default {@code content}. */
    private final Param<String> inputCol;
    /** Column that names an input in error texts, if present. Default {@code path}. */
    private final Param<String> pathCol;
    /** Images per forward pass. Default 32. */
    private final IntParam batchSize;
    /** {@code cpu}, {@code gpu} or {@code auto}. Default {@code cpu}. */
    private final Param<String> device;
    /** Forward engine: {@code compiled} or {@code eager}. Default {@code compiled}. */
    private final Param<String> engine;
    /** Number format of the compiled forward: {@code fp32}, {@code bf16} or {@code auto}. Default {@code fp32}. */
    private final Param<String> precision;
    /** Engine operator threads per executor JVM, 0 for the engine's default. Default 0. */
    private final IntParam threads;
    /** Output column for the error text. Default {@code error}. */
    private final Param<String> errorCol;

    /**
     * Creates the shared params with their defaults.
     *
     * @param uid the stage's unique id
     */
    protected VitTransformer(String uid) {
        this.uid = uid;
        modelDir = new Param<>(this, "modelDir", "model directory: local path, Hadoop URI, or empty for the bundled model");
        inputCol = new Param<>(this, "inputCol", "input column: binary image content, or file paths/URIs");
        pathCol = new Param<>(this, "pathCol", "column naming each input in error texts (if present)");
        batchSize = new IntParam(this, "batchSize", "images per forward pass (>= 1)", ParamValidators.gtEq(1));
        device = new Param<>(this, "device", "cpu, gpu or auto",
                ParamValidators.inArray(new String[] {"cpu", "gpu", "auto"}));
        engine = new Param<>(this, "engine", "forward engine: compiled (eager where the model does not compile) or eager",
                ParamValidators.inArray(names(ForwardEngine.values(), ForwardEngine::cliName)));
        precision = new Param<>(this, "precision", "number format of the compiled forward: fp32, bf16, int8 (CPU only) or auto",
                ParamValidators.inArray(names(Precision.values(), Precision::cliName)));
        threads = new IntParam(this, "threads", "engine operator threads per executor JVM, 0 for all cores",
                ParamValidators.gtEq(0));
        errorCol = new Param<>(this, "errorCol", "output column: null, or why the input could not be read");
        setDefault(modelDir, "");
        setDefault(inputCol, "content");
        setDefault(pathCol, "path");
        setDefault(batchSize, 32);
        setDefault(device, "cpu");
        setDefault(engine, ForwardEngine.COMPILED.cliName());
        setDefault(precision, Precision.FP32.cliName());
        setDefault(threads, 0);
        setDefault(errorCol, "error");
    }

    @Override
    public String uid() {
        return uid;
    }

    /** @return the model-directory param */
    public Param<String> modelDir() {
        return modelDir;
    }

    /** @return the input-column param */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** @return the path-column param */
    public Param<String> pathCol() {
        return pathCol;
    }

    /** @return the batch-size param */
    public IntParam batchSize() {
        return batchSize;
    }

    /** @return the device param */
    public Param<String> device() {
        return device;
    }

    /** @return the engine param */
    public Param<String> engine() {
        return engine;
    }

    /** @return the precision param */
    public Param<String> precision() {
        return precision;
    }

    /** @return the threads param */
    public IntParam threads() {
        return threads;
    }

    /** @return the error-column param */
    public Param<String> errorCol() {
        return errorCol;
    }

    /**
     * Sets the model directory.
     *
     * @param value a local path, a Hadoop URI ({@code hdfs://...}), or empty for the bundled model
     * @return this stage
     */
    public VitTransformer setModelDir(String value) {
        set(modelDir, value == null ? "" : value);
        return this;
    }

    /**
     * Sets the input column.
     *
     * @param value a binary column (image bytes) or a string column (paths or URIs)
     * @return this stage
     */
    public VitTransformer setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    /**
     * Sets the column that names inputs in error texts.
     *
     * @param value the column name
     * @return this stage
     */
    public VitTransformer setPathCol(String value) {
        set(pathCol, value);
        return this;
    }

    /**
     * Sets the images per forward pass.
     *
     * @param value at least 1
     * @return this stage
     */
    public VitTransformer setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    /**
     * Sets the device.
     *
     * @param value {@code cpu}, {@code gpu} or {@code auto}
     * @return this stage
     */
    public VitTransformer setDevice(String value) {
        set(device, value);
        return this;
    }

    /**
     * Sets the forward engine (as {@code vit4j predict --engine}).
     *
     * @param value {@code compiled} or {@code eager}
     * @return this stage
     */
    public VitTransformer setEngine(String value) {
        set(engine, value);
        return this;
    }

    /**
     * Sets the number format of the compiled forward (as {@code vit4j predict --precision}).
     *
     * @param value {@code fp32}, {@code bf16}, {@code int8} (int8 linear layers, CPU only) or {@code auto}
     * @return this stage
     */
    public VitTransformer setPrecision(String value) {
        set(precision, value);
        return this;
    }

    /**
     * Sets the engine's operator threads per executor JVM (before its engine starts).
     *
     * @param value threads, or 0 for the engine's default
     * @return this stage
     */
    public VitTransformer setThreads(int value) {
        set(threads, value);
        return this;
    }

    /**
     * Sets the error column.
     *
     * @param value the column name
     * @return this stage
     */
    public VitTransformer setErrorCol(String value) {
        set(errorCol, value);
        return this;
    }

    /** @return the model this stage runs, as shipped to executors */
    public ModelSource modelSource() {
        return new ModelSource(getOrDefault(modelDir), getOrDefault(device), (Integer) getOrDefault(threads),
                ForwardEngine.fromName(getOrDefault(engine)), Precision.fromName(getOrDefault(precision)));
    }

    /** @return the columns this stage appends */
    abstract OutputColumns outputColumns();

    /** @return the classes listed per image, or 0 for an embedder */
    abstract int topKValue();

    /** @return whether token columns start with the class and register tokens; false unless a stage says so */
    boolean includePrefixValue() {
        return false;
    }

    /**
     * Checks the stage against the model's contents on the driver.
     *
     * @param model the checked model files
     */
    void checkModel(ModelDirectory.Contents model) {
    }

    /**
     * Classifies or embeds every row.
     *
     * @param dataset rows with the input column
     * @return the rows with the output columns appended
     * @throws ModelUnavailableException if the model cannot be read on the driver
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema());
        ModelSource source = modelSource();
        checkModel(source.check());
        SparkContext sc = dataset.sparkSession().sparkContext();
        ModelFailureListener.register(sc);
        StructType in = dataset.schema();
        String path = getOrDefault(pathCol);
        int nameIndex = List.of(in.fieldNames()).contains(path) ? in.fieldIndex(path) : -1;
        PartitionFunction f = new PartitionFunction(source, in.fieldIndex(getOrDefault(inputCol)), nameIndex,
                (Integer) getOrDefault(batchSize), topKValue(), includePrefixValue(), outputColumns());
        return dataset.toDF().mapPartitions(f, Encoders.row(schema));
    }

    /**
     * The input schema with the output columns appended.
     *
     * @param schema the input schema
     * @return the output schema
     * @throws IllegalArgumentException if the input column is missing or of another type, or an
     *     output column exists already
     */
    @Override
    public StructType transformSchema(StructType schema) {
        String col = getOrDefault(inputCol);
        if (!List.of(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException("input column '" + col + "' is not in the schema " + schema.simpleString());
        }
        DataType t = schema.apply(col).dataType();
        if (!t.equals(DataTypes.BinaryType) && !t.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("input column '" + col + "' is " + t.simpleString()
                    + ": needs binary (image bytes) or string (paths)");
        }
        return outputColumns().appendTo(schema);
    }

    /** Copies the stage with extra params (Spark's {@code defaultCopy} needs a {@code (String uid)} constructor). */
    @Override
    public VitTransformer copy(ParamMap extra) {
        return (VitTransformer) defaultCopy(extra);
    }

    /**
     * An output column's name, where an empty string means "leave the column out".
     *
     * @param name the param's value
     * @return the name, or {@code null} for none
     */
    static String column(String name) {
        return name == null || name.isEmpty() ? null : name;
    }

    private static <E> String[] names(E[] values, java.util.function.Function<E, String> name) {
        return java.util.Arrays.stream(values).map(name).toArray(String[]::new);
    }
}
