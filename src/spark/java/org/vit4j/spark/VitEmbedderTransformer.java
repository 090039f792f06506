package org.vit4j.spark;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;

/**
 * Spark ML stage: embeds each row's image with {@link org.vit4j.infer.VitEncoder}; the head is not
 * run. Appends any of the three {@link org.vit4j.infer.TokenKind}s, each in its own column —
 * {@code pooled} (the vector {@code (D)} the head reads; on by default), {@code encoded} (tokens
 * after the encoder and its final norm, {@code (T, D)}), {@code embedded} (the tokens the
 * encoder reads: patch embeddings plus position, {@code (T, D)}) — and {@code error}. Tokens are in row-major
 * patch order, {@code T = N}, or {@code c + R + N} with the class and register tokens first under
 * {@link #setIncludePrefix}.
 *
 * <pre>{@code
 * Dataset<Row> out = new VitEmbedderTransformer()
 *         .setEncodedCol("encoded")
 *         .setModelDir("s3a://bucket/models/vit")
 *         .transform(spark.read().format("binaryFile").load("s3a://bucket/images/"));
 * }</pre>
 */
public final class VitEmbedderTransformer extends VitTransformer {

    private static final long serialVersionUID = 1L;

    /** Output column: the pooled vector (D). Default {@code pooled}. */
    private final Param<String> pooledCol;
    /** Output column: the encoded tokens (T, D); empty (the default) for none. */
    private final Param<String> encodedCol;
    /** Output column: the embedded tokens (T, D); empty (the default) for none. */
    private final Param<String> embeddedCol;
    /** Whether token columns start with the class and register tokens. Default false. */
    private final BooleanParam includePrefix;

    /** Creates the stage with a random uid. */
    public VitEmbedderTransformer() {
        this(Identifiable.randomUID("vitEmbedder"));
    }

    /**
     * Creates the stage.
     *
     * @param uid the stage's unique id
     */
    public VitEmbedderTransformer(String uid) {
        super(uid);
        pooledCol = new Param<>(this, "pooledCol", "output column: the pooled vector (D), empty for none");
        encodedCol = new Param<>(this, "encodedCol",
                "output column: tokens after the encoder and its final norm (T, D), empty for none");
        embeddedCol = new Param<>(this, "embeddedCol",
                "output column: the tokens the encoder reads, patch embeddings plus position (T, D), empty for none");
        includePrefix = new BooleanParam(this, "includePrefix",
                "whether token columns start with the class and register tokens");
        setDefault(pooledCol, "pooled");
        setDefault(encodedCol, "");
        setDefault(embeddedCol, "");
        setDefault(includePrefix, false);
    }

    /** @return the pooled-column param */
    public Param<String> pooledCol() {
        return pooledCol;
    }

    /** @return the encoded-column param */
    public Param<String> encodedCol() {
        return encodedCol;
    }

    /** @return the embedded-column param */
    public Param<String> embeddedCol() {
        return embeddedCol;
    }

    /** @return the include-prefix param */
    public BooleanParam includePrefix() {
        return includePrefix;
    }

    /**
     * Sets the pooled-vector column; empty leaves it out.
     *
     * @param value the column name (default {@code pooled})
     * @return this stage
     */
    public VitEmbedderTransformer setPooledCol(String value) {
        set(pooledCol, value == null ? "" : value);
        return this;
    }

    /**
     * Sets the encoded-tokens column; empty leaves it out (the default).
     *
     * @param value the column name, e.g. {@code encoded}
     * @return this stage
     */
    public VitEmbedderTransformer setEncodedCol(String value) {
        set(encodedCol, value == null ? "" : value);
        return this;
    }

    /**
     * Finds a param by name; the former name of {@link #embeddedCol()}, {@code patchEmbeddingsCol},
     * is refused with its new one.
     *
     * @param paramName the name
     * @return the param
     * @throws java.util.NoSuchElementException for an unknown name, or the former one with the new
     */
    @Override
    public Param<Object> getParam(String paramName) {
        if (FORMER_EMBEDDED_COL.equals(paramName)) {
            throw new java.util.NoSuchElementException("Param " + FORMER_EMBEDDED_COL
                    + " is now called embeddedCol (the tokens the encoder reads)");
        }
        return super.getParam(paramName);
    }

    /** The former name of {@link #embeddedCol()}. */
    private static final String FORMER_EMBEDDED_COL = "patchEmbeddingsCol";

    /**
     * Sets the embedded column; empty leaves it out (the default).
     *
     * @param value the column name, e.g. {@code embedded}
     * @return this stage
     */
    public VitEmbedderTransformer setEmbeddedCol(String value) {
        set(embeddedCol, value == null ? "" : value);
        return this;
    }

    /**
     * Sets whether token columns start with the class and register tokens ({@code T = c + R + N})
     * or hold the patch tokens only ({@code T = N}, the default).
     *
     * @param value whether to keep the prefix
     * @return this stage
     */
    public VitEmbedderTransformer setIncludePrefix(boolean value) {
        set(includePrefix, value);
        return this;
    }

    @Override
    OutputColumns outputColumns() {
        return new OutputColumns(null, null, null, null, column(getOrDefault(pooledCol)),
                column(getOrDefault(encodedCol)), column(getOrDefault(embeddedCol)), getOrDefault(errorCol()));
    }

    @Override
    int topKValue() {
        return 0;
    }

    @Override
    boolean includePrefixValue() {
        return (Boolean) getOrDefault(includePrefix);
    }
}
