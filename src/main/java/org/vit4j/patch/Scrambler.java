package org.vit4j.patch;

import java.util.Random;
import org.vit4j.image.PreprocessedImage;

/**
 * Shuffles an image's blocks with a seeded permutation.
 *
 * <p>The image {@code (C, H, W)} is cut into a {@link ShuffleGrid} of blocks; output block {@code
 * i} (row-major) is input block {@code perm[i]}. When the block edges fall on patch edges the
 * model sees the same set of patch tokens in another order, which is what position embeddings are
 * for. Permutations come from {@link java.util.Random}, whose algorithm the Java specification
 * fixes, with a Fisher–Yates shuffle, so a seed gives the same permutation on every platform.
 */
public final class Scrambler {

    private Scrambler() {}

    /**
     * A seeded permutation of {@code n} elements.
     *
     * @param n number of blocks
     * @param seed the seed
     * @return {@code perm}, a permutation of {@code 0..n-1}
     */
    public static int[] permutation(int n, long seed) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    /**
     * The seed for the {@code index}-th image of a run with seed {@code seed}: each image gets its
     * own permutation, and the same run seed reproduces them all.
     *
     * @param seed run seed
     * @param index image index
     * @return a per-image seed
     */
    public static long imageSeed(long seed, long index) {
        // SplitMix64 finalizer of (seed, index): cheap, well mixed and platform independent
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The inverse permutation: {@code inv[perm[i]] = i}.
     *
     * @param perm a permutation
     * @return its inverse
     */
    public static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }

    /**
     * Shuffles the blocks of a planar image.
     *
     * @param chw the image {@code (C, H, W)}, row-major
     * @param channels C
     * @param height H, a multiple of {@code grid.rows()}
     * @param width W, a multiple of {@code grid.cols()}
     * @param grid the shuffle grid
     * @param perm a permutation of {@code grid.size()} blocks: output block i = input block perm[i]
     * @return a new array, the shuffled image
     * @throws IllegalArgumentException if the grid does not divide the image, with the numbers
     */
    public static float[] apply(
            float[] chw, int channels, int height, int width, ShuffleGrid grid, int[] perm) {
        check(chw, channels, height, width, grid, perm);
        int bh = height / grid.rows();
        int bw = width / grid.cols();
        float[] out = new float[chw.length];
        for (int i = 0; i < perm.length; i++) {
            int oy = (i / grid.cols()) * bh;
            int ox = (i % grid.cols()) * bw;
            int iy = (perm[i] / grid.cols()) * bh;
            int ix = (perm[i] % grid.cols()) * bw;
            for (int c = 0; c < channels; c++) {
                int plane = c * height * width;
                for (int y = 0; y < bh; y++) {
                    System.arraycopy(
                            chw, plane + (iy + y) * width + ix, out, plane + (oy + y) * width + ox, bw);
                }
            }
        }
        return out;
    }

    /**
     * Scrambles a preprocessed image's blocks: {@link #apply} with the permutation of {@code seed}
     * ({@link #permutation}).
     *
     * @param image model input {@code (C, H, W)}
     * @param grid the shuffle grid; must divide the image
     * @param seed permutation seed (per image: {@link #imageSeed})
     * @return the scrambled input, a new image
     * @throws IllegalArgumentException if the grid does not divide the image, with the numbers
     */
    public static PreprocessedImage scramble(PreprocessedImage image, ShuffleGrid grid, long seed) {
        float[] x = apply(image.data(), image.channels(), image.height(), image.width(), grid,
                permutation(grid.size(), seed));
        return new PreprocessedImage(x, image.channels(), image.height(), image.width());
    }

    private static void check(
            float[] chw, int channels, int height, int width, ShuffleGrid grid, int[] perm) {
        if (chw.length != channels * height * width) {
            throw new IllegalArgumentException(
                    "image array has " + chw.length + " values, expected " + channels + "x" + height
                            + "x" + width);
        }
        if (height % grid.rows() != 0 || width % grid.cols() != 0) {
            throw new IllegalArgumentException(
                    "shuffle grid " + grid + " does not divide the image " + height + "x" + width
                            + " into equal blocks");
        }
        if (perm.length != grid.size()) {
            throw new IllegalArgumentException(
                    "permutation has " + perm.length + " entries for a " + grid + " shuffle grid");
        }
    }
}
