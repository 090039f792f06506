package org.vit4j.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;

/**
 * Spark ML stage: embeds each row's image. Appends {@code embedding} (the pooled feature vector
 * {@code (D)} the head reads, from {@link org.vit4j.infer.VitClassifier#embed}; the head is not
 * run), optionally {@code tokens} (the encoder's input tokens {@code (N, D)} in row-major patch
 * order, from {@link org.vit4j.infer.PatchEncoder}), and {@code error}.
 *
 * <pre>{@code
 * Dataset<Row> out = new VitEmbedderTransformer()
 *         .setModelDir("s3a://bucket/models/vit")
 *         .transform(spark.read().format("binaryFile").load("s3a://bucket/images/"));
 * }</pre>
 */
public final class VitEmbedderTransformer extends VitTransformer {

    private static final long serialVersionUID = 1L;

    /** Output column: the pooled embedding (D). Default {@code embedding}. */
    private final Param<String> embeddingCol;
    /** Output column: the patch tokens (N, D); empty (the default) for none. */
    private final Param<String> tokensCol;

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
        embeddingCol = new Param<>(this, "embeddingCol", "output column: pooled embedding (D), empty for none");
        tokensCol = new Param<>(this, "tokensCol", "output column: patch tokens (N, D), empty for none");
        setDefault(embeddingCol, "embedding");
        setDefault(tokensCol, "");
    }

    /** @return the embedding-column param */
    public Param<String> embeddingCol() {
        return embeddingCol;
    }

    /** @return the tokens-column param */
    public Param<String> tokensCol() {
        return tokensCol;
    }

    /**
     * Sets the embedding column; empty leaves it out.
     *
     * @param value the column name
     * @return this stage
     */
    public VitEmbedderTransformer setEmbeddingCol(String value) {
        set(embeddingCol, value == null ? "" : value);
        return this;
    }

    /**
     * Sets the patch-token column; empty leaves it out (the default).
     *
     * @param value the column name
     * @return this stage
     */
    public VitEmbedderTransformer setTokensCol(String value) {
        set(tokensCol, value == null ? "" : value);
        return this;
    }

    @Override
    OutputColumns outputColumns() {
        return new OutputColumns(null, null, null, null, column(getOrDefault(embeddingCol)),
                column(getOrDefault(tokensCol)), getOrDefault(errorCol()));
    }

    @Override
    int topKValue() {
        return 0;
    }
}
