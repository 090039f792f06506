package org.vit4j.position;

import java.util.Arrays;
import java.util.Objects;
import org.vit4j.image.Interpolation;
import org.vit4j.image.ResampleWeights;

/**
 * Resizes a learned position table from a {@code rows x cols} patch grid to a
 * {@code newRows x newCols} grid with bicubic interpolation, as PyTorch does when a checkpoint is
 * used at another image size. A pure function; prefix tokens (class, registers) are not part of
 * the table and stay with the caller.
 *
 * <p>Shapes: input {@code (rows*cols, D)}, output {@code (newRows*newCols, D)}, both in row-major
 * patch order. Each channel is resized as an image, separably: {@code out = Wy * grid * Wx^T}
 * with one {@code (out, in)} weight matrix per axis from {@link #weights(int, int, Mode)}, where
 * {@code scale = in / out} (align_corners=False, size given).
 */
public final class PosEmbedResampler {

    /** Which reference implementation to reproduce. */
    public enum Mode {
        /**
         * timm {@code resample_abs_pos_embed}:
         * {@code F.interpolate(mode='bicubic', antialias=True, align_corners=False)}. PyTorch's
         * {@code _upsample_bicubic2d_aa} computes the weights PIL does: {@link ResampleWeights}
         * with {@link Interpolation#BICUBIC} (Keys cubic, {@code a = -0.5}, support
         * {@code 2·max(scale, 1)}, stretched by {@code scale} when shrinking).
         */
        TIMM,
        /**
         * Hugging Face ViT {@code interpolate_pos_encoding}:
         * {@code F.interpolate(size=(newRows, newCols), mode='bicubic', align_corners=False)}
         * without antialias. PyTorch's {@code upsample_bicubic2d}: source
         * {@code s = (i + 0.5)*scale - 0.5}, {@code t = s - floor(s)}, four taps
         * {@code floor(s) - 1 .. floor(s) + 2} clamped to the border, Keys cubic with
         * {@code A = -0.75}.
         */
        HF
    }

    /** Keys' cubic coefficient used by PyTorch's plain bicubic ({@code upsample_bicubic2d}). */
    public static final double A_PLAIN = -0.75;

    private PosEmbedResampler() {}

    /**
     * Resamples a learned {@code (rows*cols, D)} grid table to {@code (newRows*newCols, D)}. The
     * same size returns a copy.
     *
     * @param table the table, one row of width {@code D >= 1} per patch, row-major patch order
     * @param rows current grid height {@code >= 1}
     * @param cols current grid width {@code >= 1}
     * @param newRows target grid height {@code >= 1}
     * @param newCols target grid width {@code >= 1}
     * @param mode which PyTorch kernel to reproduce
     * @return a new {@code float[newRows*newCols][D]}
     * @throws IllegalArgumentException if a size is not positive, if {@code table.length != rows*cols}
     *     or if the rows of {@code table} differ in width; the message has the numbers
     */
    public static float[][] resample(float[][] table, int rows, int cols, int newRows, int newCols,
            Mode mode) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(mode, "mode");
        if (rows < 1 || cols < 1 || newRows < 1 || newCols < 1) {
            throw new IllegalArgumentException("pos-embed resample grids must be at least 1x1, got "
                    + rows + "x" + cols + " -> " + newRows + "x" + newCols + " (rows x cols)");
        }
        long n = (long) rows * cols;
        if (table.length != n) {
            String hint = table.length > n
                    ? "; remove the " + (table.length - n) + " prefix token(s) first" : "";
            throw new IllegalArgumentException("pos-embed table has " + table.length
                    + " rows but a " + rows + "x" + cols + " grid needs " + n + hint);
        }
        int dim = table[0].length;
        for (int p = 0; p < table.length; p++) {
            if (table[p].length != dim) {
                throw new IllegalArgumentException("pos-embed table row " + p + " has width "
                        + table[p].length + " but row 0 has " + dim);
            }
        }
        if (dim < 1) {
            throw new IllegalArgumentException("pos-embed table has width 0");
        }
        if (rows == newRows && cols == newCols) {
            float[][] copy = new float[table.length][];
            for (int p = 0; p < table.length; p++) {
                copy[p] = table[p].clone();
            }
            return copy;
        }
        double[][] wx = weights(cols, newCols, mode); // (newCols, cols)
        double[][] wy = weights(rows, newRows, mode); // (newRows, rows)

        // Horizontal pass: tmp[y][X][d] = sum_x wx[X][x] * table[y*cols + x][d]   (rows, newCols, D)
        double[][][] tmp = new double[rows][newCols][dim];
        for (int y = 0; y < rows; y++) {
            for (int xo = 0; xo < newCols; xo++) {
                double[] acc = tmp[y][xo];
                for (int x = 0; x < cols; x++) {
                    double w = wx[xo][x];
                    if (w != 0.0) {
                        float[] src = table[y * cols + x];
                        for (int d = 0; d < dim; d++) {
                            acc[d] += w * src[d];
                        }
                    }
                }
            }
        }
        // Vertical pass: out[Y*newCols + X][d] = sum_y wy[Y][y] * tmp[y][X][d]   (newRows*newCols, D)
        float[][] out = new float[newRows * newCols][dim];
        double[] acc = new double[dim];
        for (int yo = 0; yo < newRows; yo++) {
            for (int xo = 0; xo < newCols; xo++) {
                Arrays.fill(acc, 0.0);
                for (int y = 0; y < rows; y++) {
                    double w = wy[yo][y];
                    if (w != 0.0) {
                        double[] src = tmp[y][xo];
                        for (int d = 0; d < dim; d++) {
                            acc[d] += w * src[d];
                        }
                    }
                }
                float[] dst = out[yo * newCols + xo];
                for (int d = 0; d < dim; d++) {
                    dst[d] = (float) acc[d];
                }
            }
        }
        return out;
    }

    /**
     * The 1-D interpolation matrix {@code W} of one axis: {@code out[i] = sum_j W[i][j] * in[j]}.
     * Every row sums to 1; equal sizes give the identity. See {@link Mode} for the formulas.
     *
     * @param in input length {@code >= 1}
     * @param out output length {@code >= 1}
     * @param mode which PyTorch kernel to reproduce
     * @return a new {@code double[out][in]}
     * @throws IllegalArgumentException if a length is not positive
     */
    public static double[][] weights(int in, int out, Mode mode) {
        Objects.requireNonNull(mode, "mode");
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException(
                    "interpolation lengths must be >= 1, got in=" + in + ", out=" + out);
        }
        if (mode == Mode.TIMM) {
            return ResampleWeights.of(in, out, Interpolation.BICUBIC).toMatrix();
        }
        double[][] w = new double[out][in];
        double scale = (double) in / out; // area_pixel_compute_scale, align_corners=False
        for (int i = 0; i < out; i++) {
            // area_pixel_compute_source_index(cubic=true): not clamped at 0
            double src = (i + 0.5) * scale - 0.5;
            int i0 = (int) Math.floor(src);
            double t = src - i0;
            double[] distances = {t + 1.0, t, 1.0 - t, 2.0 - t}; // of taps i0-1 .. i0+2, as PyTorch computes them
            for (int k = 0; k < 4; k++) {
                int j = Math.min(Math.max(i0 - 1 + k, 0), in - 1); // border clamp
                w[i][j] += Interpolation.keys(distances[k], A_PLAIN);
            }
        }
        return w;
    }
}
