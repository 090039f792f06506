package org.vit4j.position;

import org.vit4j.InvalidOptionException;
import java.util.Objects;

/**
 * Fixed 2-D sin-cos position table for a {@code rows x cols} patch grid, a pure function of
 * {@code (rows, cols, dim, variant, layout)}.
 *
 * <p>Patch {@code (y, x)} (row {@code y}, column {@code x}) is table row {@code y*cols + x}
 * (row-major patch order). With {@code K = D/4} frequencies {@code omega_0 .. omega_{K-1}}:
 * <pre>
 *   SPLIT:       [sin(x*omega) | cos(x*omega) | sin(y*omega) | cos(y*omega)]      each block K wide
 *   INTERLEAVED: [sin(x*omega_0), cos(x*omega_0), .., sin(x*omega_{K-1}), cos(x*omega_{K-1}) |
 *                 sin(y*omega_0), cos(y*omega_0), .., sin(y*omega_{K-1}), cos(y*omega_{K-1})]
 * </pre>
 * i.e. the first {@code D/2} columns encode the column index x and the last {@code D/2} the row
 * index y in both layouts; INTERLEAVED only reorders sin/cos within each half.
 * {@link #interleavedToSplit(int)} gives the column permutation.
 *
 * <p>The schedules differ only in the frequencies; see {@link Schedule}. Output shape
 * {@code (rows*cols, D)}; values are computed in double and rounded to float once.
 */
public final class SinCos2d {

    /** Which published frequency schedule to use. */
    public enum Schedule {
        /**
         * MAE {@code get_2d_sincos_pos_embed}: each half is the 1-D table of width D/2, so
         * {@code omega_i = 1/10000^(i/(D/4))}, {@code i in [0, D/4)}. Requires {@code D % 4 == 0}.
         */
        MAE(PositionEmbeddingKind.SINCOS2D_MAE),
        /**
         * big_vision / SimpleViT {@code posemb_sincos_2d} (temperature 10000):
         * {@code omega_i = 1/10000^(i/(D/4 - 1))}, {@code i in [0, D/4)}, so the last frequency is
         * exactly 1/10000. Requires {@code D % 4 == 0} and {@code D >= 8}.
         */
        BIG_VISION(PositionEmbeddingKind.SINCOS2D_BIGVISION);

        private final PositionEmbeddingKind kind;

        Schedule(PositionEmbeddingKind kind) {
            this.kind = kind;
        }

        /** @return the position-embedding kind that uses this schedule (its name is the one users see) */
        public PositionEmbeddingKind kind() {
            return kind;
        }

        /**
         * The {@code D/4} frequencies of this variant.
         *
         * @param dim embedding width {@code D}
         * @return a new array of length {@code D/4}
         * @throws IllegalArgumentException if {@code dim} is invalid for this variant
         */
        public double[] omega(int dim) {
            checkDim(dim, this);
            int k = dim / 4;
            // MAE: 1/10000^(i/(D/4)); big_vision: 1/10000^(i/(D/4 - 1))
            double denom = this == MAE ? k : k - 1;
            double[] omega = new double[k];
            for (int i = 0; i < k; i++) {
                omega[i] = 1.0 / Math.pow(SinCos1d.TEMPERATURE, i / denom);
            }
            return omega;
        }
    }

    private SinCos2d() {}

    /**
     * Builds the {@code (rows*cols, dim)} table, rows in row-major patch order.
     *
     * @param rows grid height {@code >= 1}
     * @param cols grid width {@code >= 1}
     * @param dim embedding width {@code D}: a multiple of 4, and {@code >= 8} for
     *     {@link Schedule#BIG_VISION}
     * @param variant frequency schedule
     * @param layout column order within the x half and the y half
     * @return a new {@code float[rows*cols][dim]}
     * @throws IllegalArgumentException on a non-positive grid or an invalid {@code dim}, with the
     *     values in the message
     */
    public static float[][] table(int rows, int cols, int dim, Schedule variant, SinCosLayout layout) {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(layout, "layout");
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(variant.kind.cliName() + " grid must be at least 1x1, got "
                    + rows + "x" + cols + " (rows x cols)");
        }
        if ((long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(variant.kind.cliName() + " grid " + rows + "x" + cols
                    + " has more than " + Integer.MAX_VALUE + " patches");
        }
        return table(GridCoordinates.of(rows, cols), dim, variant, layout);
    }

    /**
     * Builds the table at a grid's coordinates (which {@link PositionScaling#INTERPOLATE} makes
     * fractional), rows in row-major patch order.
     *
     * @param grid where each patch sits
     * @param dim embedding width {@code D}, as in {@link #table(int, int, int, Schedule, SinCosLayout)}
     * @param variant frequency schedule
     * @param layout column order within the x half and the y half
     * @return a new {@code float[rows*cols][dim]}
     * @throws IllegalArgumentException on an invalid {@code dim}
     */
    public static float[][] table(GridCoordinates grid, int dim, Schedule variant, SinCosLayout layout) {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(layout, "layout");
        double[] omega = variant.omega(dim);
        int half = dim / 2;
        int cols = grid.cols();
        float[][] out = new float[grid.size()][dim];
        for (int y = 0; y < grid.rows(); y++) {
            for (int x = 0; x < cols; x++) {
                float[] row = out[y * cols + x]; // row-major patch order
                SinCos1d.fill(row, 0, grid.col(x), omega, layout); // first half: column coordinate
                SinCos1d.fill(row, half, grid.row(y), omega, layout); // second half: row coordinate
            }
        }
        return out;
    }

    /**
     * Column permutation between the layouts: column {@code j} of the {@link SinCosLayout#INTERLEAVED}
     * table equals column {@code perm[j]} of the {@link SinCosLayout#SPLIT} table, for both
     * variants. Within each half {@code h in {0, 1}} (x, then y) of width {@code D/2}:
     * {@code perm[h*D/2 + 2i] = h*D/2 + i} and {@code perm[h*D/2 + 2i + 1] = h*D/2 + D/4 + i}.
     *
     * @param dim embedding width {@code D}, a multiple of 4
     * @return a new permutation of {@code [0, D)}
     * @throws IllegalArgumentException if {@code dim} is not a positive multiple of 4
     */
    public static int[] interleavedToSplit(int dim) {
        checkDim(dim, Schedule.MAE);
        int[] perm = new int[dim];
        SinCos1d.interleavedToSplit(perm, 0, dim / 2);
        SinCos1d.interleavedToSplit(perm, dim / 2, dim / 2);
        return perm;
    }

    private static void checkDim(int dim, Schedule variant) {
        if (dim < 4 || dim % 4 != 0) {
            throw new InvalidOptionException("dim", dim, variant.kind.cliName()
                    + " needs a positive multiple of 4 (sin x | cos x | sin y | cos y)");
        }
        if (variant == Schedule.BIG_VISION && dim < 8) {
            throw new InvalidOptionException("dim", dim, variant.kind.cliName()
                    + " needs at least 8: omega_i = 1/10000^(i/(D/4 - 1)) divides by D/4 - 1 = " + (dim / 4 - 1));
        }
    }
}
