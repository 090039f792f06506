package org.vit4j.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * Separable resampling of planar float images, numerically the same as PIL's {@code Image.resize}
 * in float mode ({@code 'F'}).
 *
 * <p>PIL {@code Resample.c}: output pixel {@code i} has its centre at input coordinate
 * {@code (i + 0.5) * scale} with {@code scale = in / out} (pixel centres at +0.5, i.e.
 * {@code align_corners=False}); the filter support is multiplied by {@code max(1, scale)} so
 * downscaling is antialiased; weights are normalized to sum to 1 over the input pixels inside the
 * image (edges are not padded). The horizontal pass runs first and its result is stored as
 * float, then the vertical pass; sums are accumulated in double — the same order as PIL, so
 * results agree to float rounding.
 *
 * <p>Shapes: input {@code (C, H, W)}, output {@code (C, outH, outW)}, both row-major.
 */
public final class Resizer {

    private Resizer() {
    }

    /**
     * Resizes every channel of a planar image.
     *
     * @param chw input pixels, shape {@code (channels, height, width)}
     * @param channels {@code C >= 1}
     * @param height input height {@code >= 1}
     * @param width input width {@code >= 1}
     * @param outHeight output height {@code >= 1}
     * @param outWidth output width {@code >= 1}
     * @param interpolation the filter
     * @return a new array of shape {@code (channels, outHeight, outWidth)}; a copy when the size is unchanged
     * @throws IllegalArgumentException if a size is not positive or {@code chw} has the wrong length
     */
    public static float[] resize(float[] chw, int channels, int height, int width,
                                 int outHeight, int outWidth, Interpolation interpolation) {
        Objects.requireNonNull(chw, "chw");
        Objects.requireNonNull(interpolation, "interpolation");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input shape (C=" + channels + ", H=" + height + ", W="
                    + width + ") must be positive");
        }
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("output size " + outHeight + "x" + outWidth + " must be positive");
        }
        if (chw.length != (long) channels * height * width) {
            throw new IllegalArgumentException("chw has " + chw.length + " values, expected C*H*W = "
                    + channels + "*" + height + "*" + width + " = " + ((long) channels * height * width));
        }
        if ((long) channels * outHeight * outWidth > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output (C=" + channels + ", H=" + outHeight + ", W="
                    + outWidth + ") does not fit in one Java array");
        }
        return resizeWindow(chw, channels, height, width, outHeight, outWidth, 0, 0, outHeight, outWidth,
                interpolation);
    }

    /**
     * Resizes to {@code (outHeight, outWidth)} but computes only the window of {@code cropHeight}
     * rows from {@code top} and {@code cropWidth} columns from {@code left} — the same numbers as
     * resizing and then cropping, without allocating the full resized image (which, for a
     * panorama under a resize-then-crop policy, can be far larger than the crop).
     *
     * <p>Arguments are trusted (validated by the callers).
     */
    static float[] resizeWindow(float[] chw, int channels, int height, int width, int outHeight, int outWidth,
                                int top, int left, int cropHeight, int cropWidth, Interpolation interpolation) {
        // An axis whose size is unchanged is copied: PIL skips that pass, and at scale 1 both
        // filters are exactly 1 at distance 0 and 0 at +-1, +-2, so skipping changes nothing.
        Coefficients horizontal = outWidth == width ? null
                : Coefficients.of(width, outWidth, left, cropWidth, interpolation);
        Coefficients vertical = outHeight == height ? null
                : Coefficients.of(height, outHeight, top, cropHeight, interpolation);
        // Input rows the vertical pass reads: only these go through the horizontal pass (as in PIL).
        int r0 = vertical == null ? top : vertical.first();
        int r1 = vertical == null ? top + cropHeight : vertical.end();
        float[] temp = new float[(r1 - r0) * cropWidth];                       // (rows, cropW)
        float[] out = new float[channels * cropHeight * cropWidth];            // (C, cropH, cropW)
        double[] acc = new double[cropWidth];
        for (int c = 0; c < channels; c++) {
            int inBase = c * height * width;
            for (int y = r0; y < r1; y++) {
                int row = inBase + y * width;
                int t = (y - r0) * cropWidth;
                if (horizontal == null) {
                    System.arraycopy(chw, row + left, temp, t, cropWidth);
                } else {
                    horizontal.applyAlongRow(chw, row, temp, t);
                }
            }
            int outBase = c * cropHeight * cropWidth;
            for (int y = 0; y < cropHeight; y++) {
                if (vertical == null) {
                    System.arraycopy(temp, (top + y - r0) * cropWidth, out, outBase + y * cropWidth, cropWidth);
                } else {
                    vertical.applyAcrossRows(temp, r0, cropWidth, y, acc, out, outBase + y * cropWidth);
                }
            }
        }
        return out;
    }

    /** Per-output-pixel filter windows along one axis (PIL {@code precompute_coeffs}). */
    private static final class Coefficients {
        final int[] start;
        final double[][] weights;

        private Coefficients(int[] start, double[][] weights) {
            this.start = start;
            this.weights = weights;
        }

        /** Windows for output indices {@code from .. from + count - 1} of an {@code inSize -> outSize} resize. */
        static Coefficients of(int inSize, int outSize, int from, int count, Interpolation interpolation) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(1.0, scale);
            double support = interpolation.support() * filterScale;
            double invScale = 1.0 / filterScale; // PIL multiplies by the reciprocal; so do we, for identical rounding
            int[] start = new int[count];
            double[][] weights = new double[count][];
            for (int j = 0; j < count; j++) {
                double center = (from + j + 0.5) * scale;
                // (int) truncates toward zero, as C does in PIL; then clamp to the image.
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double[] w = new double[Math.max(0, xmax)];
                double sum = 0.0;
                for (int k = 0; k < w.length; k++) {
                    w[k] = interpolation.kernel((k + xmin - center + 0.5) * invScale);
                    sum += w[k];
                }
                if (sum != 0.0) {
                    for (int k = 0; k < w.length; k++) {
                        w[k] /= sum;
                    }
                }
                start[j] = xmin;
                weights[j] = w;
            }
            return new Coefficients(start, weights);
        }

        /** First input index any window reads. */
        int first() {
            int m = Integer.MAX_VALUE;
            for (int s : start) {
                m = Math.min(m, s);
            }
            return m;
        }

        /** One past the last input index any window reads. */
        int end() {
            int m = 0;
            for (int j = 0; j < start.length; j++) {
                m = Math.max(m, start[j] + weights[j].length);
            }
            return m;
        }

        /**
         * Horizontal pass over one row: {@code dst[d + j] = Σ_k src[row + start[j] + k] · w_j[k]},
         * summed in double in ascending {@code k} and stored as float (PIL's 'F' temp image).
         */
        void applyAlongRow(float[] src, int row, float[] dst, int d) {
            for (int j = 0; j < start.length; j++) {
                double[] w = weights[j];
                int offset = row + start[j];
                double sum = 0.0;
                for (int k = 0; k < w.length; k++) {
                    sum += src[offset + k] * w[k];
                }
                dst[d + j] = (float) sum;
            }
        }

        /**
         * Vertical pass for output row {@code i}: {@code dst[d + x] = Σ_k temp[(start[i] + k - r0) ·
         * cols + x] · w_i[k]}. Whole rows are accumulated at a time (contiguous, vectorizable), in
         * the same ascending {@code k} order per pixel as a per-pixel loop, so the sums are identical.
         */
        void applyAcrossRows(float[] temp, int r0, int cols, int i, double[] acc, float[] dst, int d) {
            double[] w = weights[i];
            Arrays.fill(acc, 0, cols, 0.0);
            for (int k = 0; k < w.length; k++) {
                double wk = w[k];
                int row = (start[i] + k - r0) * cols;
                for (int x = 0; x < cols; x++) {
                    acc[x] += temp[row + x] * wk;
                }
            }
            for (int x = 0; x < cols; x++) {
                dst[d + x] = (float) acc[x];
            }
        }
    }
}
