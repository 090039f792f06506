package org.vit4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Which columns a stage appends, and their names; a {@code null} name leaves the column out.
 *
 * <pre>
 *   label        string                 the most probable class
 *   index        int                    its class index
 *   probability  double                 its softmax probability
 *   top_k        array&lt;struct&lt;label: string, index: int, probability: double&gt;&gt;, most probable first
 *   pooled            array&lt;float&gt;          the pooled vector (D) the head reads
 *   encoded           array&lt;array&lt;float&gt;&gt;   tokens after the encoder and its final norm (T, D)
 *   embedded          array&lt;array&lt;float&gt;&gt;   tokens before the encoder: projection + position (T, D)
 *   error             string                null, or why the input could not be read (as vit4j predict says it)
 * </pre>
 *
 * The three embedding columns are the three {@link org.vit4j.infer.TokenKind}s; {@code T = N}, or
 * {@code c + R + N} with the class and register tokens first if the stage keeps the prefix.
 *
 * @param label name of the label column
 * @param index name of the class-index column
 * @param probability name of the probability column
 * @param topK name of the top-k column
 * @param pooled name of the pooled-vector column
 * @param encoded name of the encoded-tokens column
 * @param embedded name of the embedded-tokens column
 * @param error name of the error column (always present)
 */
record OutputColumns(String label, String index, String probability, String topK, String pooled,
        String encoded, String embedded, String error) implements Serializable {

    /** The struct of one {@code top_k} entry. */
    static final StructType PREDICTION = new StructType()
            .add("label", DataTypes.StringType, false)
            .add("index", DataTypes.IntegerType, false)
            .add("probability", DataTypes.DoubleType, false);

    OutputColumns {
        if (error == null || error.isEmpty()) {
            throw new IllegalArgumentException("the error column needs a name");
        }
    }

    /** @return whether any classification column is asked for */
    boolean classifies() {
        return label != null || index != null || probability != null || topK != null;
    }

    /**
     * The fields appended to the input schema, in the order the rows carry them.
     *
     * @return the fields
     */
    List<StructField> fields() {
        List<StructField> f = new ArrayList<>();
        add(f, label, DataTypes.StringType);
        add(f, index, DataTypes.IntegerType);
        add(f, probability, DataTypes.DoubleType);
        add(f, topK, new ArrayType(PREDICTION, false));
        add(f, pooled, new ArrayType(DataTypes.FloatType, false));
        add(f, encoded, new ArrayType(new ArrayType(DataTypes.FloatType, false), false));
        add(f, embedded, new ArrayType(new ArrayType(DataTypes.FloatType, false), false));
        add(f, error, DataTypes.StringType);
        return f;
    }

    private static void add(List<StructField> f, String name, org.apache.spark.sql.types.DataType type) {
        if (name != null) {
            f.add(DataTypes.createStructField(name, type, true));
        }
    }

    /**
     * Appends the output fields to a schema.
     *
     * @param in the input schema
     * @return the output schema
     * @throws IllegalArgumentException if an output column already exists
     */
    StructType appendTo(StructType in) {
        StructType out = in;
        for (StructField f : fields()) {
            if (List.of(in.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException("output column '" + f.name() + "' already exists in the input");
            }
            out = out.add(f);
        }
        return out;
    }
}
