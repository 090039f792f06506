package org.vit4j.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * The filter windows of antialiased resampling along one axis: for each output pixel, the first
 * input pixel it reads and the normalized weights of the input pixels from there. One
 * implementation for {@link Resizer} (PIL's {@code Image.resize}) and for the learned position
 * table resampled as timm does it ({@code org.vit4j.position.PosEmbedResampler}): PIL's
 * {@code precompute_coeffs} and PyTorch's {@code _compute_indices_weights_aa}
 * ({@code F.interpolate(..., antialias=True, align_corners=False)}) are the same formulas, with
 * the same filters ({@link Interpolation}).
 *
 * <p>Output pixel {@code i} has its centre at input coordinate {@code center = (i + 0.5)·scale},
 * {@code scale = in / out}; the support is {@code support(filter)·max(1, scale)}, so a shrink
 * widens the filter (antialiasing); the taps are
 * {@code j in [max(trunc(center - support + 0.5), 0), min(trunc(center + support + 0.5), in))},
 * weighted by {@code filter((j - center + 0.5) / max(1, scale))} and normalized to sum 1 (the
 * edges are not padded).
 */
public final class ResampleWeights {

    private final int inSize;
    private final int[] start;
    private final double[][] weights;

    private ResampleWeights(int inSize, int[] start, double[][] weights) {
        this.inSize = inSize;
        this.start = start;
        this.weights = weights;
    }

    /**
     * The windows of every output pixel of an {@code in -> out} resample.
     *
     * @param inSize input length {@code >= 1}
     * @param outSize output length {@code >= 1}
     * @param filter the filter
     * @return the windows of output pixels {@code 0 .. outSize - 1}
     * @throws IllegalArgumentException if a length is not positive
     */
    public static ResampleWeights of(int inSize, int outSize, Interpolation filter) {
        Objects.requireNonNull(filter, "filter");
        if (inSize < 1 || outSize < 1) {
            throw new IllegalArgumentException(
                    "resample lengths must be >= 1, got in=" + inSize + ", out=" + outSize);
        }
        return of(inSize, outSize, 0, outSize, filter);
    }

    /** Windows of output pixels {@code from .. from + count - 1} only; arguments trusted. */
    static ResampleWeights of(int inSize, int outSize, int from, int count, Interpolation filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(1.0, scale);
        double support = filter.support() * filterScale;
        double invScale = 1.0 / filterScale; // PIL multiplies by the reciprocal; so do we, for identical rounding
        int[] start = new int[count];
        double[][] weights = new double[count][];
        for (int j = 0; j < count; j++) {
            double center = (from + j + 0.5) * scale;
            // (int) truncates toward zero, as C does in PIL and PyTorch; then clamp to the input.
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double[] w = new double[Math.max(0, xmax)];
            double sum = 0.0;
            for (int k = 0; k < w.length; k++) {
                w[k] = filter.kernel((k + xmin - center + 0.5) * invScale);
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
        return new ResampleWeights(inSize, start, weights);
    }

    /**
     * The windows as a dense interpolation matrix: {@code out[i] = Σ_j W[i][j]·in[j]}.
     *
     * @return a new {@code double[count][inSize]}, zero outside each window
     */
    public double[][] toMatrix() {
        double[][] m = new double[start.length][inSize];
        for (int i = 0; i < start.length; i++) {
            System.arraycopy(weights[i], 0, m[i], start[i], weights[i].length);
        }
        return m;
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
