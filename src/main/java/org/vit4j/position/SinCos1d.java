package org.vit4j.position;

import org.vit4j.InvalidOptionException;
import java.util.Objects;

/**
 * Fixed 1-D sin-cos position table, a pure function of {@code (positions, dim, layout)}.
 *
 * <p>MAE {@code get_1d_sincos_pos_embed_from_grid} (Transformer, Vaswani et al. 2017):
 * <pre>
 *   omega_i = 1 / 10000^(i / (D/2)),   i in [0, D/2)
 *   out[p, i] = p * omega_i,           p in [0, positions)
 *   SPLIT:       row p = [sin(out[p, :]) | cos(out[p, :])]
 *   INTERLEAVED: row p = [sin(out[p,0]), cos(out[p,0]), sin(out[p,1]), cos(out[p,1]), ...]
 * </pre>
 * Output shape {@code (positions, D)}. Values are computed in double and rounded to float once.
 */
public final class SinCos1d {

    /** The base of the geometric frequency progression ("temperature"). */
    public static final double TEMPERATURE = 10000.0;

    private SinCos1d() {}

    /**
     * Builds the {@code (positions, dim)} table.
     *
     * @param positions number of positions {@code N >= 1}; row {@code p} encodes position {@code p}
     * @param dim embedding width {@code D}, even and {@code >= 2}
     * @param layout column order of the sines and cosines
     * @return a new {@code float[positions][dim]}
     * @throws IllegalArgumentException if {@code positions < 1} or {@code dim} is not a positive
     *     even number, with the value in the message
     */
    public static float[][] table(int positions, int dim, SinCosLayout layout) {
        if (positions < 1) {
            throw new IllegalArgumentException("sincos1d positions must be >= 1, got " + positions);
        }
        checkDim(dim);
        Objects.requireNonNull(layout, "layout");
        double[] omega = omega(dim);
        float[][] out = new float[positions][dim];
        for (int p = 0; p < positions; p++) {
            fill(out[p], 0, p, omega, layout);
        }
        return out;
    }

    /**
     * The frequencies {@code omega_i = 1 / 10000^(i / (D/2))} for {@code i in [0, D/2)}.
     *
     * @param dim embedding width {@code D}, even and {@code >= 2}
     * @return a new array of length {@code D/2}
     * @throws IllegalArgumentException if {@code dim} is not a positive even number
     */
    public static double[] omega(int dim) {
        checkDim(dim);
        int half = dim / 2;
        double[] omega = new double[half];
        for (int i = 0; i < half; i++) {
            omega[i] = 1.0 / Math.pow(TEMPERATURE, (double) i / half);
        }
        return omega;
    }

    /**
     * Column permutation between the layouts: column {@code j} of the {@link SinCosLayout#INTERLEAVED}
     * table equals column {@code perm[j]} of the {@link SinCosLayout#SPLIT} table, where
     * {@code perm[2i] = i} (sin of omega_i) and {@code perm[2i+1] = D/2 + i} (cos of omega_i).
     *
     * @param dim embedding width {@code D}, even and {@code >= 2}
     * @return a new permutation of {@code [0, D)}
     * @throws IllegalArgumentException if {@code dim} is not a positive even number
     */
    public static int[] interleavedToSplit(int dim) {
        checkDim(dim);
        int[] perm = new int[dim];
        interleavedToSplit(perm, 0, dim);
        return perm;
    }

    /**
     * Writes {@code sin(pos*omega_i)} and {@code cos(pos*omega_i)} for all {@code i} into
     * {@code row[offset .. offset + 2*omega.length)} in the given layout. Shared with {@link SinCos2d},
     * which fills its x half and y half with it.
     */
    static void fill(float[] row, int offset, double pos, double[] omega, SinCosLayout layout) {
        int k = omega.length;
        for (int i = 0; i < k; i++) {
            double a = pos * omega[i];
            float s = (float) Math.sin(a);
            float c = (float) Math.cos(a);
            if (layout == SinCosLayout.SPLIT) {
                row[offset + i] = s;
                row[offset + k + i] = c;
            } else {
                row[offset + 2 * i] = s;
                row[offset + 2 * i + 1] = c;
            }
        }
    }

    /** Writes the 1-D interleaved-to-split permutation of a block of {@code width} columns at {@code offset}. */
    static void interleavedToSplit(int[] perm, int offset, int width) {
        int k = width / 2;
        for (int i = 0; i < k; i++) {
            perm[offset + 2 * i] = offset + i;
            perm[offset + 2 * i + 1] = offset + k + i;
        }
    }

    private static void checkDim(int dim) {
        if (dim < 2 || dim % 2 != 0) {
            throw new InvalidOptionException("dim", dim, "sincos1d needs an even width of at least 2 (half sin, half cos)");
        }
    }
}
