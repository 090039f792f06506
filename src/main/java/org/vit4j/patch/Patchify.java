package org.vit4j.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Cuts images into flattened patches and puts them back.
 *
 * <p>{@code patchify}: images {@code (B, C, H, W)} → tokens {@code (B, N, C·P·P)}, patches in
 * row-major order, each flattened in {@code (c, y, x)} order (the order of a {@code Conv2d} weight
 * {@code (D, C, P, P)}). {@code unpatchify} is its exact inverse.
 */
public final class Patchify {

    private Patchify() {}

    /**
     * Flattens the patches of a batch of images.
     *
     * @param images {@code (B, C, H, W)}, H and W multiples of {@code patchSize}
     * @param patchSize P
     * @return {@code (B, N, C·P·P)}
     * @throws IllegalArgumentException if the shape does not fit, with the numbers
     */
    public static NDArray patchify(NDArray images, int patchSize) {
        Shape s = images.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException(
                    "patchify expects images (B, C, H, W), got shape " + s);
        }
        long b = s.get(0);
        long c = s.get(1);
        PatchGrid grid = PatchGrid.of((int) s.get(2), (int) s.get(3), patchSize);
        long r = grid.rows();
        long q = grid.cols();
        long p = patchSize;
        return images.reshape(b, c, r, p, q, p) // (B, C, R, P, Q, P)
                .transpose(0, 2, 4, 1, 3, 5) // (B, R, Q, C, P, P)
                .reshape(b, r * q, c * p * p); // (B, N, C·P·P)
    }

    /**
     * Puts flattened patches back into images.
     *
     * @param tokens {@code (B, N, C·P·P)}
     * @param grid the patch grid, {@code N = R·Q}
     * @param channels C
     * @return {@code (B, C, R·P, Q·P)}
     * @throws IllegalArgumentException if the shape does not fit the grid, with the numbers
     */
    public static NDArray unpatchify(NDArray tokens, PatchGrid grid, int channels) {
        Shape s = tokens.getShape();
        long p = grid.patchSize();
        long patchDim = channels * p * p;
        if (s.dimension() != 3 || s.get(1) != grid.size() || s.get(2) != patchDim) {
            throw new IllegalArgumentException(
                    "unpatchify expects tokens (B, " + grid.size() + ", " + patchDim + ") for grid "
                            + grid.shape() + " of " + p + " px and " + channels
                            + " channels, got shape " + s);
        }
        long b = s.get(0);
        return tokens.reshape(b, grid.rows(), grid.cols(), channels, p, p) // (B, R, Q, C, P, P)
                .transpose(0, 3, 1, 4, 2, 5) // (B, C, R, P, Q, P)
                .reshape(b, channels, grid.height(), grid.width()); // (B, C, H, W)
    }
}
