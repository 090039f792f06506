package org.vit4j.patch;

/**
 * A grid of {@code rows × cols} square patches of {@code patchSize} pixels: an image of {@code
 * (rows·P) × (cols·P)} pixels. Patches are numbered in row-major order.
 *
 * @param rows patch rows {@code R}
 * @param cols patch columns {@code Q}
 * @param patchSize patch side {@code P} in pixels
 */
public record PatchGrid(int rows, int cols, int patchSize) {

    /**
     * Validates the numbers.
     *
     * @param rows see the record
     * @param cols see the record
     * @param patchSize see the record
     */
    public PatchGrid {
        if (rows <= 0 || cols <= 0 || patchSize <= 0) {
            throw new IllegalArgumentException(
                    "patch grid needs positive rows, cols and patch size, got " + rows + "x" + cols
                            + " of " + patchSize);
        }
    }

    /**
     * The grid of an image.
     *
     * @param height image height H
     * @param width image width W
     * @param patchSize patch side P
     * @return the grid {@code (H/P) × (W/P)}
     * @throws IllegalArgumentException if H or W is not a positive multiple of P, with the numbers
     */
    public static PatchGrid of(int height, int width, int patchSize) {
        if (patchSize <= 0) {
            throw new IllegalArgumentException("patch size must be positive, got " + patchSize);
        }
        if (height < patchSize || width < patchSize) {
            throw new IllegalArgumentException(
                    "image " + height + "x" + width + " is smaller than one " + patchSize + "x"
                            + patchSize + " patch");
        }
        if (height % patchSize != 0) {
            throw new IllegalArgumentException(
                    "image height " + height + " is not a multiple of patch size " + patchSize);
        }
        if (width % patchSize != 0) {
            throw new IllegalArgumentException(
                    "image width " + width + " is not a multiple of patch size " + patchSize);
        }
        return new PatchGrid(height / patchSize, width / patchSize, patchSize);
    }

    /** @return the number of patches {@code N = R·Q} */
    public int size() {
        return rows * cols;
    }

    /** @return image height {@code R·P} */
    public int height() {
        return rows * patchSize;
    }

    /** @return image width {@code Q·P} */
    public int width() {
        return cols * patchSize;
    }

    /** @return e.g. {@code 8x8} */
    public String shape() {
        return rows + "x" + cols;
    }
}
