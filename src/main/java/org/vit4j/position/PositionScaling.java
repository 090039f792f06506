package org.vit4j.position;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * How a model places the patches of a grid other than the one it was configured (trained) for,
 * when it is given images of another size.
 *
 * <ul>
 *   <li>{@link #EXTRAPOLATE} (the default): every patch keeps its integer coordinates on the new
 *       grid. Sin-cos tables and rotary angles are computed there, so a larger grid reaches
 *       coordinates that training never showed (big_vision's {@code posemb_sincos_2d} at the new
 *       size; timm's rotary embeddings without {@code ref_feat_shape}).
 *   <li>{@link #INTERPOLATE}: coordinates are scaled into the trained grid's range, patch
 *       {@code (y, x)} of an {@code R'×C'} grid sitting at {@code (y·R/R', x·C/C')} of the trained
 *       {@code R×C} grid (position interpolation: timm's {@code ref_feat_shape}, EVA-02's scheme
 *       for rotary embeddings at another resolution). Sin-cos tables and rotary angles are computed
 *       at those coordinates; {@code sincos1d} at the flattened {@code y·R/R'·C + x·C/C'}.
 * </ul>
 *
 * The reference is always the configured grid: timm's EVA-02 checkpoints fine-tuned at a larger size
 * keep their pretraining grid as {@code ref_feat_shape} even at the configured size, which this
 * does not express (vit4j imports no EVA-02 checkpoint).
 *
 * <p>A learned table has values only at the trained grid's positions and is resampled (bicubic, as
 * timm does) under both: it is always interpolated. {@code rope-dinov3} normalises its coordinates
 * to {@code [-1, 1]} on every grid, so it too is interpolated under both.
 */
public enum PositionScaling implements Named {
    /** The new grid's own integer coordinates. */
    EXTRAPOLATE,
    /** Coordinates scaled into the trained grid's range. */
    INTERPOLATE;

    /**
     * Parses a {@link #cliName()}, ignoring case.
     *
     * @param s the name
     * @return the scaling
     * @throws IllegalArgumentException naming the input and listing the valid names
     */
    public static PositionScaling fromName(String s) {
        return Names.parse(PositionScaling.class, "position scaling", s);
    }

    /** @return {@link #cliName()} */
    @Override
    public String toString() {
        return cliName();
    }
}
