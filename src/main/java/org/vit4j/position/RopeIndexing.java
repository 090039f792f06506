package org.vit4j.position;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * Which grid axis drives the first half of a rotary embedding's angles, timm's {@code grid_indexing}
 * ({@code torch.meshgrid(..., indexing=...)}).
 *
 * <ul>
 *   <li>{@link #XY}: the column {@code x} first, then the row {@code y} (timm RoPE-ViT, Heo et al.
 *       2024).
 *   <li>{@link #IJ}: the row {@code i} first, then the column {@code j} (timm's default, EVA-02,
 *       DINOv3).
 * </ul>
 */
public enum RopeIndexing implements Named {
    /** Column first. */
    XY,
    /** Row first. */
    IJ;

    /**
     * The coordinate of a patch along the first axis.
     *
     * @param row patch row {@code y}
     * @param col patch column {@code x}
     * @return {@code x} for XY, {@code y} for IJ
     */
    public double first(double row, double col) {
        return this == XY ? col : row;
    }

    /**
     * The coordinate of a patch along the second axis.
     *
     * @param row patch row {@code y}
     * @param col patch column {@code x}
     * @return {@code y} for XY, {@code x} for IJ
     */
    public double second(double row, double col) {
        return this == XY ? row : col;
    }

    /**
     * Parses a {@link #cliName()}, ignoring case.
     *
     * @param s the name
     * @return the indexing
     * @throws IllegalArgumentException naming the input and listing the valid names
     */
    public static RopeIndexing fromName(String s) {
        return Names.parse(RopeIndexing.class, "rope indexing", s);
    }

    /** @return {@link #cliName()} */
    @Override
    public String toString() {
        return cliName();
    }
}
