package org.vit4j.position;

import org.vit4j.InvalidOptionException;

/**
 * Rotary position embeddings for a {@code rows x cols} patch grid as pure functions: the rotation
 * angle of every patch and rotation pair, in timm's conventions ({@code
 * timm/layers/pos_embed_sincos.py}). A head vector {@code x} of width {@code D} at patch {@code n} is
 * rotated pair by pair, {@code (x_a, x_b) -> (x_a cos t - x_b sin t, x_b cos t + x_a sin t)} with
 * {@code t = angles[n][p]} and the pair dimensions {@code a, b} given by a {@link RopeLayout}.
 * Because a rotation by {@code t_m} followed by the transposed rotation by {@code t_n} is the
 * rotation by {@code t_m - t_n}, and every angle here is linear in the patch coordinates, the
 * product of a rotated query and a rotated key depends only on the offset between the two patches.
 *
 * <p>Patch {@code (y, x)} is row {@code y*cols + x} of every table (row-major patch order); the
 * tables have {@code D/2} columns, one angle per rotation pair.
 */
public final class Rope {

    private Rope() {}

    private static void checkHeadDim(int headDim) {
        if (headDim <= 0 || headDim % 4 != 0) {
            throw new InvalidOptionException("headDim", headDim, "rotary embeddings need a head width divisible by 4");
        }
    }

    private static void checkGrid(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("grid must be positive, got " + rows + "x" + cols);
        }
    }

    /**
     * The axial frequencies of timm's {@code RotaryEmbeddingCat(in_pixels=False)}:
     * {@code freq_bands(D/4, theta, step=1)}, i.e. {@code omega_k = 1/theta^(k/(D/4))}.
     *
     * @param headDim head width {@code D}, divisible by 4
     * @param theta the temperature (RoPE-ViT: 100, EVA-02: 10000)
     * @return {@code D/4} frequencies
     */
    public static double[] axialFrequencies(int headDim, double theta) {
        checkHeadDim(headDim);
        int k = headDim / 4;
        double[] omega = new double[k];
        for (int i = 0; i < k; i++) {
            omega[i] = 1.0 / Math.pow(theta, (double) i / k);
        }
        return omega;
    }

    /**
     * Axial RoPE angles (EVA, RoPE-ViT "axial"; timm {@code build_rotary_pos_embed}): pair
     * {@code p < D/4} turns by {@code u·omega_p}, pair {@code p >= D/4} by {@code v·omega_{p-D/4}},
     * where {@code (u, v)} are the patch's integer coordinates in {@code indexing} order.
     *
     * @param rows grid rows
     * @param cols grid columns
     * @param headDim head width {@code D}, divisible by 4
     * @param theta the temperature
     * @param indexing which axis comes first
     * @return angles {@code (rows*cols, D/2)}
     */
    public static float[][] axialAngles(int rows, int cols, int headDim, double theta, RopeIndexing indexing) {
        checkGrid(rows, cols);
        return axialAngles(GridCoordinates.of(rows, cols), headDim, theta, indexing);
    }

    /**
     * Axial RoPE angles at a grid's coordinates, which {@link PositionScaling#INTERPOLATE} makes
     * fractional (timm {@code build_rotary_pos_embed} with {@code ref_feat_shape}).
     *
     * @param grid where each patch sits
     * @param headDim head width {@code D}, divisible by 4
     * @param theta the temperature
     * @param indexing which axis comes first
     * @return angles {@code (rows*cols, D/2)}
     */
    public static float[][] axialAngles(GridCoordinates grid, int headDim, double theta, RopeIndexing indexing) {
        double[] omega = axialFrequencies(headDim, theta);
        int k = omega.length;
        int cols = grid.cols();
        float[][] out = new float[grid.size()][2 * k];
        for (int y = 0; y < grid.rows(); y++) {
            for (int x = 0; x < cols; x++) {
                float[] a = out[y * cols + x];
                double u = indexing.first(grid.row(y), grid.col(x));
                double v = indexing.second(grid.row(y), grid.col(x));
                for (int i = 0; i < k; i++) {
                    a[i] = (float) (u * omega[i]);
                    a[k + i] = (float) (v * omega[i]);
                }
            }
        }
        return out;
    }

    /**
     * DINOv3's periods (timm {@code RotaryEmbeddingDinoV3._compute_periods} with a temperature):
     * {@code period_k = theta^(2k/(D/2))}, {@code k < D/4}.
     *
     * @param headDim head width {@code D}, divisible by 4
     * @param theta the temperature (DINOv3: 100)
     * @return {@code D/4} periods
     */
    public static double[] dinov3Periods(int headDim, double theta) {
        checkHeadDim(headDim);
        int k = headDim / 4;
        double[] periods = new double[k];
        for (int i = 0; i < k; i++) {
            periods[i] = Math.pow(theta, 2.0 * i / (headDim / 2));
        }
        return periods;
    }

    /**
     * DINOv3 RoPE angles (timm {@code make_coords_dinov3(normalize_coords='separate')} and {@code
     * _get_pos_embed_from_coords}): patch centres normalised to {@code [-1, 1]} per axis,
     * {@code h = 2(y + 0.5)/rows - 1}, {@code w = 2(x + 0.5)/cols - 1}; pair {@code p < D/4} turns by
     * {@code 2 pi h / period_p}, pair {@code p >= D/4} by {@code 2 pi w / period_{p-D/4}}. No
     * training-time coordinate augmentation.
     *
     * @param rows grid rows
     * @param cols grid columns
     * @param headDim head width {@code D}, divisible by 4
     * @param theta the temperature
     * @return angles {@code (rows*cols, D/2)}
     */
    public static float[][] dinov3Angles(int rows, int cols, int headDim, double theta) {
        checkGrid(rows, cols);
        double[] periods = dinov3Periods(headDim, theta);
        int k = periods.length;
        float[][] out = new float[rows * cols][2 * k];
        for (int y = 0; y < rows; y++) {
            // timm computes the coordinates in float32: arange(0.5, n) / n, then 2c - 1
            float h = 2f * ((y + 0.5f) / rows) - 1f;
            for (int x = 0; x < cols; x++) {
                float w = 2f * ((x + 0.5f) / cols) - 1f;
                float[] a = out[y * cols + x];
                for (int i = 0; i < k; i++) {
                    a[i] = (float) (2 * Math.PI * h / periods[i]);
                    a[k + i] = (float) (2 * Math.PI * w / periods[i]);
                }
            }
        }
        return out;
    }

    /**
     * The initial learnable frequencies of RoPE-Mixed (Heo et al. 2024; timm {@code
     * init_random_2d_freqs}): magnitudes {@code m_l = 1/theta^(4l/D)}, {@code l < D/4}, and per block
     * and head an angle {@code phi}; {@code f_x = [m cos(phi) | m cos(phi + pi/2)]},
     * {@code f_y = [m sin(phi) | m sin(phi + pi/2)]}.
     *
     * @param headDim head width {@code D}, divisible by 4
     * @param depth blocks
     * @param heads heads per block
     * @param theta the temperature (RoPE-Mixed: 10)
     * @param phi {@code depth*heads} angles, block-major (e.g. uniform in {@code [0, 2 pi)})
     * @return the frequencies {@code (2, depth, heads, D/2)} flattened row-major
     */
    public static float[] mixedFrequencies(int headDim, int depth, int heads, double theta, float[] phi) {
        checkHeadDim(headDim);
        if (phi.length != depth * heads) {
            throw new IllegalArgumentException(
                    "need " + depth * heads + " angles (depth x heads), got " + phi.length);
        }
        int l = headDim / 4;
        int half = headDim / 2;
        float[] out = new float[2 * depth * heads * half];
        for (int i = 0; i < depth * heads; i++) {
            // timm computes in float32: arange(0, D, 4) / D, then theta ** that
            for (int j = 0; j < l; j++) {
                double m = 1.0 / Math.pow(theta, (float) (4.0 * j) / headDim);
                double a = phi[i];
                int x = i * half;
                int y = depth * heads * half + i * half;
                out[x + j] = (float) (m * Math.cos(a));
                out[x + l + j] = (float) (m * Math.cos(a + Math.PI / 2));
                out[y + j] = (float) (m * Math.sin(a));
                out[y + l + j] = (float) (m * Math.sin(a + Math.PI / 2));
            }
        }
        return out;
    }

    /**
     * The patch coordinates RoPE-Mixed multiplies its frequencies with (timm {@code
     * get_mixed_grid}): {@code t_x} is the first and {@code t_y} the second axis in
     * {@code indexing} order, integers from 0.
     *
     * @param rows grid rows
     * @param cols grid columns
     * @param indexing which axis is {@code t_x}
     * @return {@code {t_x, t_y}}, each of length {@code rows*cols}
     */
    public static float[][] mixedCoordinates(int rows, int cols, RopeIndexing indexing) {
        checkGrid(rows, cols);
        return mixedCoordinates(GridCoordinates.of(rows, cols), indexing);
    }

    /**
     * The coordinates RoPE-Mixed multiplies its frequencies with, at a grid's coordinates (which
     * {@link PositionScaling#INTERPOLATE} makes fractional).
     *
     * @param grid where each patch sits
     * @param indexing which axis is {@code t_x}
     * @return {@code {t_x, t_y}}, each of length {@code rows*cols}
     */
    public static float[][] mixedCoordinates(GridCoordinates grid, RopeIndexing indexing) {
        int cols = grid.cols();
        float[][] t = new float[2][grid.size()];
        for (int y = 0; y < grid.rows(); y++) {
            for (int x = 0; x < cols; x++) {
                t[0][y * cols + x] = (float) indexing.first(grid.row(y), grid.col(x));
                t[1][y * cols + x] = (float) indexing.second(grid.row(y), grid.col(x));
            }
        }
        return t;
    }

    /**
     * RoPE-Mixed angles of one head (timm {@code get_mixed_freqs}):
     * {@code t = t_x·f_x + t_y·f_y} per pair.
     *
     * @param fx the head's {@code D/2} x-frequencies
     * @param fy the head's {@code D/2} y-frequencies
     * @param rows grid rows
     * @param cols grid columns
     * @param indexing which axis is {@code t_x}
     * @return angles {@code (rows*cols, D/2)}
     */
    public static float[][] mixedAngles(float[] fx, float[] fy, int rows, int cols, RopeIndexing indexing) {
        if (fx.length != fy.length) {
            throw new IllegalArgumentException("fx and fy differ in length: " + fx.length + " vs " + fy.length);
        }
        float[][] t = mixedCoordinates(rows, cols, indexing);
        float[][] out = new float[rows * cols][fx.length];
        for (int n = 0; n < out.length; n++) {
            for (int p = 0; p < fx.length; p++) {
                out[n][p] = t[0][n] * fx[p] + t[1][n] * fy[p];
            }
        }
        return out;
    }

    /**
     * The cosine and sine of every angle: the rotary tables, one value per rotation pair.
     *
     * @param angles {@code (N, D/2)}
     * @return {@code {cos, sin}}, each {@code (N, D/2)}
     */
    public static float[][][] cosSin(float[][] angles) {
        int n = angles.length;
        int half = n == 0 ? 0 : angles[0].length;
        float[][][] out = new float[2][n][half];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < half; p++) {
                out[0][i][p] = (float) Math.cos(angles[i][p]);
                out[1][i][p] = (float) Math.sin(angles[i][p]);
            }
        }
        return out;
    }

    /**
     * Expands angles to per-dimension cosines and sines in a layout, as timm's embedding tables
     * ({@code (N, D)} each; interleaved repeats every angle twice, half tiles the row twice).
     *
     * @param angles {@code (N, D/2)}
     * @param layout the pair layout
     * @return {@code {cos, sin}}, each {@code (N, D)}
     */
    public static float[][][] cosSin(float[][] angles, RopeLayout layout) {
        int n = angles.length;
        int dim = n == 0 ? 0 : 2 * angles[0].length;
        float[][][] out = new float[2][n][dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                double a = angles[i][layout.pairOf(j, dim)];
                out[0][i][j] = (float) Math.cos(a);
                out[1][i][j] = (float) Math.sin(a);
            }
        }
        return out;
    }

    /**
     * The angles of a fixed rotary kind.
     *
     * @param kind {@link PositionEmbeddingKind#ROPE_AXIAL} or {@link PositionEmbeddingKind#ROPE_DINOV3}
     * @param rows grid rows
     * @param cols grid columns
     * @param headDim head width {@code D}, divisible by 4
     * @param theta the temperature
     * @param indexing which axis comes first (axial only; DINOv3 is row first)
     * @return angles {@code (rows*cols, D/2)}
     * @throws IllegalArgumentException for other kinds (rope-mixed's angles come from its learned
     *     frequencies, {@link #mixedAngles})
     */
    public static float[][] angles(PositionEmbeddingKind kind, int rows, int cols, int headDim, double theta,
            RopeIndexing indexing) {
        return switch (kind) {
            case ROPE_AXIAL -> axialAngles(rows, cols, headDim, theta, indexing);
            case ROPE_DINOV3 -> dinov3Angles(rows, cols, headDim, theta);
            default -> throw new IllegalArgumentException("'" + kind.cliName()
                    + "' has no fixed rotation; fixed rotary kinds are rope-axial, rope-dinov3");
        };
    }

    /**
     * timm's rotary table as {@code get_embed} returns it: {@code [sin | cos]}, each expanded to the
     * head width in the layout. Row {@code n}'s dot product with row {@code m} is
     * {@code 2 sum_p cos(t_np - t_mp)}: the attention logit between a query and a key that are the
     * same all-ones vector, rotated to patches {@code n} and {@code m}.
     *
     * @param angles {@code (N, D/2)}
     * @param layout the pair layout
     * @return {@code (N, 2D)}
     */
    public static float[][] embedding(float[][] angles, RopeLayout layout) {
        float[][][] cs = cosSin(angles, layout);
        int n = angles.length;
        int dim = n == 0 ? 0 : cs[0][0].length;
        float[][] out = new float[n][2 * dim];
        for (int i = 0; i < n; i++) {
            System.arraycopy(cs[1][i], 0, out[i], 0, dim);
            System.arraycopy(cs[0][i], 0, out[i], dim, dim);
        }
        return out;
    }

    /**
     * Rotates one head vector: {@code x·cos + rot(x)·sin} (timm {@code apply_rot_embed_cat}).
     *
     * @param x a head vector of width {@code D}
     * @param angles its patch's {@code D/2} angles
     * @param layout the pair layout
     * @return the rotated vector
     */
    public static float[] rotate(float[] x, float[] angles, RopeLayout layout) {
        int dim = x.length;
        if (angles.length * 2 != dim) {
            throw new IllegalArgumentException(
                    "a head vector of width " + dim + " needs " + dim / 2 + " angles, got " + angles.length);
        }
        float[] out = new float[dim];
        for (int p = 0; p < dim / 2; p++) {
            int a = layout.first(p, dim);
            int b = layout.second(p, dim);
            double c = Math.cos(angles[p]);
            double s = Math.sin(angles[p]);
            out[a] = (float) (x[a] * c - x[b] * s);
            out[b] = (float) (x[b] * c + x[a] * s);
        }
        return out;
    }
}
