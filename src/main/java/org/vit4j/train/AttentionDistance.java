package org.vit4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.model.Architecture;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;

/**
 * Mean attention distance per layer and head (the ViT paper's figure 7, right; Dosovitskiy et al.
 * 2021): how far, in patches, each head looks. For one image, layer and head:
 *
 * <pre>
 *   distance = (1 / N) Σ_i Σ_j â_ij · |g_i − g_j|,    â_ij = a_ij / Σ_j' a_ij'
 * </pre>
 *
 * over query patches {@code i} and key patches {@code j} ({@code N} of them), {@code g} a patch's
 * (row, column) on the grid and {@code |·|} the euclidean distance in patches. Only patch-to-patch
 * attention counts, as in the paper: the class and register tokens are neither queries nor keys,
 * and each query's attention to the patches is renormalized to sum 1. Over a data set, the mean of
 * the images' distances.
 */
public final class AttentionDistance {

    private AttentionDistance() {}

    /**
     * Mean attention distances over a data set.
     *
     * @param layers L
     * @param heads H
     * @param distance {@code (L, H)}, in patches
     * @param images the images measured
     * @param scramble the shuffle grid every image was scrambled on, or null
     * @param skipped the images that could not be read, {@code NAME: REASON}
     */
    public record Result(int layers, int heads, double[][] distance, int images, String scramble,
            List<String> skipped) {}

    /**
     * The euclidean distances between the patches of a grid.
     *
     * @param rows grid rows
     * @param cols grid columns
     * @return {@code (N, N)}, {@code N = rows·cols}, row-major patch order
     */
    public static float[][] gridDistances(int rows, int cols) {
        int n = rows * cols;
        float[][] d = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i][j] = (float) Math.hypot(i / cols - j / cols, i % cols - j % cols);
            }
        }
        return d;
    }

    /**
     * The mean distance of each layer and head of a batch's attention maps, summed over the batch.
     *
     * @param maps {@code (L, B, H, T, T)}, {@code T = prefix + rows·cols}
     * @param prefix class and register tokens before the patches
     * @param rows grid rows
     * @param cols grid columns
     * @return {@code (L, H)}: for each, the sum over the batch's images of their mean distance
     * @throws IllegalArgumentException if the maps' tokens are not {@code prefix + rows·cols}
     */
    public static double[][] batchSums(NDArray maps, int prefix, int rows, int cols) {
        Shape s = maps.getShape();
        int n = rows * cols;
        if (s.dimension() != 5 || s.get(3) != prefix + n || s.get(4) != prefix + n) {
            throw new IllegalArgumentException("attention maps " + s + " do not have " + prefix + " + " + rows + "x"
                    + cols + " tokens");
        }
        int layers = (int) s.get(0);
        int heads = (int) s.get(2);
        float[][] g = gridDistances(rows, cols);
        float[] flat = new float[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(g[i], 0, flat, i * n, n);
        }
        NDManager m = maps.getManager();
        NDArray d = m.create(flat, new Shape(n, n)).toDevice(maps.getDevice(), false); // (N, N)
        NDArray a = maps.get(":, :, :, {}:, {}:", prefix, prefix); // (L, B, H, N, N)
        a = a.div(a.sum(new int[] {-1}, true)); // each query's attention to the patches, summing to 1
        NDArray perImage = a.mul(d).sum(new int[] {-1}).mean(new int[] {-1}); // (L, B, H)
        float[] sums = perImage.sum(new int[] {1}).toFloatArray(); // (L, H)
        double[][] out = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                out[l][h] = sums[l * heads + h];
            }
        }
        return out;
    }

    /**
     * The mean attention distance of every layer and head over a data set, each image scrambled
     * first where a grid is given (its own seeded permutation, as {@code eval --scramble-grid}
     * scrambles it).
     *
     * @param forward the model's forward (compiled or eager), fp32
     * @param pre turns each image into the model's input
     * @param data the data set
     * @param batchSize images per forward pass
     * @param scramble a shuffle grid, or null
     * @param seed seed of the scrambling permutations
     * @param progress called with the images done after each batch (may be null)
     * @return the distances, in patches
     * @throws IllegalStateException if the forward runs in bf16
     */
    public static Result measure(InferenceForward forward, ImagePreprocessor pre, ImageDataset data, int batchSize,
            ShuffleGrid scramble, long seed, IntConsumer progress) {
        if (forward.precision().precision() != Precision.FP32) {
            throw new IllegalStateException("attention maps are computed in fp32 only; this forward runs "
                    + forward.precision().precision().cliName());
        }
        VitModel model = forward.model();
        Architecture a = model.getConfig().architecture();
        double[][] sum = new double[a.depth()][a.heads()];
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int done = 0;
        List<String> skipped = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(data, order, batchSize, pre, Augment.NONE, seed, 0, scramble)) {
            while (loader.hasNext()) {
                BatchLoader.Batch b = loader.next();
                skipped.addAll(b.skipped());
                if (b.size() > 0) {
                    try (NDManager m = model.newManager()) {
                        NDArray x = m.create(b.images(), new Shape(b.size(), b.channels(), b.height(), b.width()));
                        double[][] s = batchSums(forward.attentionMaps(x), a.prefixTokens(),
                                b.height() / a.patchSize(), b.width() / a.patchSize());
                        for (int l = 0; l < sum.length; l++) {
                            for (int h = 0; h < sum[l].length; h++) {
                                sum[l][h] += s[l][h];
                            }
                        }
                    }
                    done += b.size();
                }
                if (progress != null) {
                    progress.accept(done + skipped.size());
                }
            }
        }
        for (double[] row : sum) {
            for (int h = 0; h < row.length; h++) {
                row[h] = done == 0 ? Double.NaN : row[h] / done;
            }
        }
        return new Result(a.depth(), a.heads(), sum, done, scramble == null ? null : scramble.toString(),
                List.copyOf(skipped));
    }
}
