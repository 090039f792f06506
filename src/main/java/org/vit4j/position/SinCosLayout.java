package org.vit4j.position;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * Order of the sin and cos columns inside a sin-cos position table with frequencies
 * {@code omega_0 .. omega_{K-1}}.
 *
 * <ul>
 *   <li>{@link #SPLIT}: {@code [sin(p*omega_0) .. sin(p*omega_{K-1}) | cos(p*omega_0) .. cos(p*omega_{K-1})]},
 *       as in MAE {@code get_1d_sincos_pos_embed_from_grid} and big_vision {@code posemb_sincos_2d}.
 *   <li>{@link #INTERLEAVED}: {@code [sin(p*omega_0), cos(p*omega_0), sin(p*omega_1), cos(p*omega_1), ..]},
 *       as in "Attention Is All You Need" (PE(pos, 2i) = sin, PE(pos, 2i+1) = cos).
 * </ul>
 * In 2-D tables the layout applies within the x half and within the y half separately; see
 * {@link SinCos2d}. Both layouts hold the same columns: {@link SinCos1d#interleavedToSplit(int)}
 * and {@link SinCos2d#interleavedToSplit(int)} give the permutation.
 */
public enum SinCosLayout implements Named {
    /** All sines, then all cosines (MAE, big_vision, timm). */
    SPLIT,
    /** sin, cos pairs per frequency (Vaswani et al. 2017). */
    INTERLEAVED;

    /**
     * Parses a {@link #cliName()}, ignoring case.
     *
     * @param s the name
     * @return the layout
     * @throws IllegalArgumentException naming the input and listing the valid names
     */
    public static SinCosLayout fromName(String s) {
        return Names.parse(SinCosLayout.class, "sin-cos layout", s);
    }

    /** @return {@link #cliName()} */
    @Override
    public String toString() {
        return cliName();
    }
}
