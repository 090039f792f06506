package org.vit4j.patch;

import java.util.Locale;

/**
 * The grid of blocks that {@link Scrambler} shuffles: {@code rows × cols} blocks of {@code
 * (H/rows) × (W/cols)} pixels. A shuffle grid equal to the patch grid shuffles every patch; a
 * coarser one moves groups of patches together (Naseer et al. 2021, "Intriguing Properties of
 * Vision Transformers", shuffle grids 2×2 … 14×14).
 *
 * @param rows block rows
 * @param cols block columns
 */
public record ShuffleGrid(int rows, int cols) {

    /**
     * Validates the numbers.
     *
     * @param rows see the record
     * @param cols see the record
     */
    public ShuffleGrid {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "shuffle grid needs positive rows and cols, got " + rows + "x" + cols);
        }
    }

    /**
     * Parses {@code RxC} (or a single number {@code G} for {@code GxG}).
     *
     * @param text e.g. {@code 4x4}
     * @return the grid
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static ShuffleGrid parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            int x = t.indexOf('x');
            if (x < 0) {
                int g = Integer.parseInt(t);
                return new ShuffleGrid(g, g);
            }
            return new ShuffleGrid(
                    Integer.parseInt(t.substring(0, x)), Integer.parseInt(t.substring(x + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "shuffle grid '" + text + "' is not of the form RxC, e.g. 4x4", e);
        }
    }

    /** @return number of blocks */
    public int size() {
        return rows * cols;
    }

    /** @return e.g. {@code 4x4} */
    @Override
    public String toString() {
        return rows + "x" + cols;
    }
}
