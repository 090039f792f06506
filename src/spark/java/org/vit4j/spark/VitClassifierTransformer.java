package org.vit4j.spark;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;
import org.vit4j.model.ModelDirectory;

/**
 * Spark ML stage: classifies each row's image with {@link org.vit4j.infer.VitClassifier}.
 * Appends {@code label}, {@code index}, {@code probability}, {@code top_k} (array of
 * {@code {label, index, probability}}, most probable first), optionally {@code pooled} (the
 * pooled vector {@code (D)} the head reads), and {@code error} (null, or the reason {@code vit4j predict} gives).
 *
 * <pre>{@code
 * Dataset<Row> files = spark.read().format("binaryFile").load("hdfs://nn/images/*.png");
 * Dataset<Row> out = new VitClassifierTransformer()
 *         .setTopK(3)
 *         .setModelDir("hdfs://nn/models/fashion-vit")
 *         .transform(files);
 * }</pre>
 */
public final class VitClassifierTransformer extends VitTransformer {

    private static final long serialVersionUID = 1L;

    /** Classes listed per image. Default 3. */
    private final IntParam topK;
    /** Output column: the most probable class. Default {@code label}. */
    private final Param<String> labelCol;
    /** Output column: its class index. Default {@code index}. */
    private final Param<String> indexCol;
    /** Output column: its probability. Default {@code probability}. */
    private final Param<String> probabilityCol;
    /** Output column: the top-k classes. Default {@code top_k}. */
    private final Param<String> topKCol;
    /** Output column: the pooled vector; empty (the default) for none. */
    private final Param<String> pooledCol;

    /** Creates the stage with a random uid. */
    public VitClassifierTransformer() {
        this(Identifiable.randomUID("vitClassifier"));
    }

    /**
     * Creates the stage.
     *
     * @param uid the stage's unique id
     */
    public VitClassifierTransformer(String uid) {
        super(uid);
        topK = new IntParam(this, "topK", "classes listed per image (1..K)", ParamValidators.gtEq(1));
        labelCol = new Param<>(this, "labelCol", "output column: most probable class");
        indexCol = new Param<>(this, "indexCol", "output column: its class index");
        probabilityCol = new Param<>(this, "probabilityCol", "output column: its probability");
        topKCol = new Param<>(this, "topKCol", "output column: the top-k classes");
        pooledCol = new Param<>(this, "pooledCol", "output column: the pooled vector (D) the head reads, empty for none");
        setDefault(topK, 3);
        setDefault(labelCol, "label");
        setDefault(indexCol, "index");
        setDefault(probabilityCol, "probability");
        setDefault(topKCol, "top_k");
        setDefault(pooledCol, "");
    }

    /** @return the top-k param */
    public IntParam topK() {
        return topK;
    }

    /** @return the label-column param */
    public Param<String> labelCol() {
        return labelCol;
    }

    /** @return the index-column param */
    public Param<String> indexCol() {
        return indexCol;
    }

    /** @return the probability-column param */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /** @return the top-k-column param */
    public Param<String> topKCol() {
        return topKCol;
    }

    /** @return the pooled-column param */
    public Param<String> pooledCol() {
        return pooledCol;
    }

    /**
     * Sets how many classes are listed per image.
     *
     * @param value 1 up to the model's number of classes
     * @return this stage
     */
    public VitClassifierTransformer setTopK(int value) {
        set(topK, value);
        return this;
    }

    /**
     * Sets the pooled-vector column; empty leaves it out (the default).
     *
     * @param value the column name, e.g. {@code pooled}
     * @return this stage
     */
    public VitClassifierTransformer setPooledCol(String value) {
        set(pooledCol, value == null ? "" : value);
        return this;
    }

    /**
     * Sets the label column.
     *
     * @param value the column name
     * @return this stage
     */
    public VitClassifierTransformer setLabelCol(String value) {
        set(labelCol, value);
        return this;
    }

    @Override
    OutputColumns outputColumns() {
        return new OutputColumns(column(getOrDefault(labelCol)), column(getOrDefault(indexCol)),
                column(getOrDefault(probabilityCol)), column(getOrDefault(topKCol)),
                column(getOrDefault(pooledCol)), null, null, getOrDefault(errorCol()));
    }

    @Override
    int topKValue() {
        return (Integer) getOrDefault(topK);
    }

    @Override
    void checkModel(ModelDirectory.Contents model) {
        int k = model.config().architecture().numClasses();
        if (topKValue() > k) {
            throw new IllegalArgumentException("top-k " + topKValue() + " must be between 1 and the model's " + k + " classes");
        }
    }
}
