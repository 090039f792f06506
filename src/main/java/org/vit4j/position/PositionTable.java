package org.vit4j.position;

import java.util.Arrays;
import java.util.Locale;

/**
 * A position-embedding table as a reader looks at it: one row per patch of a {@code rows x cols}
 * grid, row-major, {@code (N, D)}. For a rotary kind the row is timm's rotation table {@code [sin |
 * cos]} of the patch ({@link Rope#embedding}), whose row similarities are the attention logits of
 * one rotated query against the same key at every patch. {@code vit4j posemb} writes these tables
 * and plots their similarity maps ({@link SimilarityMaps}).
 *
 * <p>Each table is built by one method: {@link #of} for the kinds computed from the grid and the
 * width, {@link #rotary} for a model's rotary table (its own theta, pairing and axes, and for
 * rope-mixed its learned frequencies), {@link #learned} for a model's learned table.
 *
 * @param kind the kind
 * @param rows grid rows
 * @param cols grid columns
 * @param values {@code (rows * cols, D)}
 * @param note what else the table depends on, for a summary line ({@code ", theta 100.0, ..."}), or empty
 */
public record PositionTable(PositionEmbeddingKind kind, int rows, int cols, float[][] values, String note) {

    /** The largest table built: 2^28 values (1 GiB of float32). */
    public static final long MAX_VALUES = 1L << 28;

    /** @return the width D of a row */
    public int dim() {
        return values[0].length;
    }

    /**
     * The table of a kind computed from the grid and the width alone: {@code none} (zeros), the
     * sin-cos kinds in a column layout, and the fixed rotary kinds with their defaults (theta,
     * pairing, axes).
     *
     * @param kind the kind; not {@code learned} or {@code rope-mixed}, which come from a model
     * @param rows grid rows
     * @param cols grid columns
     * @param dim the width; for rotary kinds the head width
     * @param layout the sin-cos column layout (ignored by the other kinds)
     * @return the table
     * @throws IllegalArgumentException if the kind is learned, the grid or width is not positive,
     *     or the table would exceed {@link #MAX_VALUES}, with the numbers
     */
    public static PositionTable of(PositionEmbeddingKind kind, int rows, int cols, int dim, SinCosLayout layout) {
        if (kind == PositionEmbeddingKind.LEARNED || kind == PositionEmbeddingKind.ROPE_MIXED) {
            throw new IllegalArgumentException(kind == PositionEmbeddingKind.LEARNED
                    ? "learned tables come from a model" : "rope-mixed frequencies are learned: they come from a model");
        }
        requireSize(rows, cols, dim);
        if (kind.isRope()) {
            double theta = kind.defaultRopeTheta();
            float[][] angles = Rope.angles(kind, rows, cols, dim, theta, kind.defaultRopeIndexing());
            String spectrum = kind == PositionEmbeddingKind.ROPE_DINOV3
                    ? "periods " + brief(Rope.dinov3Periods(dim, theta))
                    : "frequencies " + brief(Rope.axialFrequencies(dim, theta));
            return new PositionTable(kind, rows, cols, Rope.embedding(angles, kind.defaultRopeLayout()),
                    ", theta " + theta + ", " + kind.defaultRopeLayout().cliName() + " pairs, " + spectrum + " per axis");
        }
        float[][] table = kind == PositionEmbeddingKind.NONE ? new float[rows * cols][dim]
                : SinCosTables.table(kind, rows, cols, dim, layout);
        return new PositionTable(kind, rows, cols, table, "");
    }

    /**
     * A model's rotary table on a grid.
     *
     * @param kind the model's rotary kind
     * @param rows grid rows
     * @param cols grid columns
     * @param headDim the head width
     * @param theta the model's theta
     * @param indexing the model's axis indexing
     * @param layout the model's pairing of rotated channels
     * @param mixedFreqs rope-mixed: one head's learned frequencies {@code [x (hd/2), y (hd/2)]}, with
     *     the block and head named in {@code which}; null for the other kinds
     * @param which rope-mixed: {@code ", block I head H"}; empty otherwise
     * @return the table
     * @throws IllegalArgumentException if the grid is not positive or the table too large, or
     *     rope-mixed is given no frequencies
     */
    public static PositionTable rotary(PositionEmbeddingKind kind, int rows, int cols, int headDim, double theta,
            RopeIndexing indexing, RopeLayout layout, float[][] mixedFreqs, String which) {
        requireSize(rows, cols, headDim);
        float[][] angles;
        if (kind == PositionEmbeddingKind.ROPE_MIXED) {
            if (mixedFreqs == null) {
                throw new IllegalArgumentException("rope-mixed frequencies are learned: give a model's");
            }
            angles = Rope.mixedAngles(mixedFreqs[0], mixedFreqs[1], rows, cols, indexing);
        } else {
            angles = Rope.angles(kind, rows, cols, headDim, theta, indexing);
        }
        return new PositionTable(kind, rows, cols, Rope.embedding(angles, layout),
                ", theta " + theta + ", " + layout.cliName() + " pairs" + which);
    }

    /**
     * A model's learned table, without the class token's row.
     *
     * @param table the model's table {@code (prefix + rows * cols, D)}, row-major
     * @param prefix rows before the patches' (1 with a class token, else 0)
     * @param rows grid rows
     * @param cols grid columns
     * @param dim the width D
     * @return the table
     * @throws IllegalArgumentException if {@code table} does not hold that many rows
     */
    public static PositionTable learned(float[] table, int prefix, int rows, int cols, int dim) {
        requireSize(rows, cols, dim);
        if (table.length != (long) (prefix + rows * cols) * dim) {
            throw new IllegalArgumentException("learned table has " + table.length + " values, expected ("
                    + prefix + " + " + rows + "x" + cols + ") x " + dim);
        }
        float[][] out = new float[rows * cols][];
        for (int n = 0; n < rows * cols; n++) {
            out[n] = Arrays.copyOfRange(table, (n + prefix) * dim, (n + prefix + 1) * dim);
        }
        return new PositionTable(PositionEmbeddingKind.LEARNED, rows, cols, out, "");
    }

    /**
     * Checks a table's size before it is built.
     *
     * @param rows grid rows
     * @param cols grid columns
     * @param dim the width
     * @throws IllegalArgumentException if one is not positive, or the table has more than
     *     {@link #MAX_VALUES} values: {@code with dim 96 the table has 960000000000 values, more than
     *     the 268435456 written at most}
     */
    public static void requireSize(int rows, int cols, int dim) {
        if (rows < 1 || cols < 1 || dim < 1) {
            throw new IllegalArgumentException("grid " + rows + "x" + cols + " and dim " + dim + " must be positive");
        }
        long values = (long) rows * cols * dim; // long: 100000x100000 overflows an int
        if (values > MAX_VALUES) {
            throw new IllegalArgumentException("with dim " + dim + " the table has " + values
                    + " values, more than the " + MAX_VALUES + " written at most");
        }
    }

    /** @return the values flattened row-major, {@code (N * D)} */
    public float[] flat() {
        int d = dim();
        float[] flat = new float[values.length * d];
        for (int n = 0; n < values.length; n++) {
            System.arraycopy(values[n], 0, flat, n * d, d);
        }
        return flat;
    }

    /** @return the table as CSV: one line per patch, {@code %.8g} values */
    public String toCsv() {
        StringBuilder sb = new StringBuilder();
        for (float[] row : values) {
            for (int d = 0; d < row.length; d++) {
                sb.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.8g", row[d]));
            }
            sb.append('\n');
        }
        return sb.toString();
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
}
