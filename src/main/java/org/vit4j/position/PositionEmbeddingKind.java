package org.vit4j.position;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * How patch tokens learn where they are. The CLI and saved configs use {@link #cliName()}.
 *
 * <ul>
 *   <li>{@link #NONE}: no position embedding (a bag of patches).
 *   <li>{@link #LEARNED}: a trainable {@code (N, D)} table, initialised like timm
 *       ({@code trunc_normal(std=0.02)}); resized for other grids by {@link PosEmbedResampler}.
 *   <li>{@link #SINCOS1D}: fixed 1-D sin-cos table over the {@code N = rows*cols} patches in
 *       row-major order, {@link SinCos1d}.
 *   <li>{@link #SINCOS2D_MAE}: fixed 2-D sin-cos table of MAE {@code get_2d_sincos_pos_embed},
 *       {@link SinCos2d.Schedule#MAE}.
 *   <li>{@link #SINCOS2D_BIGVISION}: fixed 2-D sin-cos table of big_vision/SimpleViT
 *       {@code posemb_sincos_2d}, {@link SinCos2d.Schedule#BIG_VISION}.
 *   <li>{@link #ROPE_AXIAL}: rotary, axial frequencies {@code 1/theta^(k/(D_head/4))} per axis
 *       (EVA, RoPE-ViT; timm {@code RotaryEmbeddingCat}), {@link Rope#axialAngles}.
 *   <li>{@link #ROPE_MIXED}: rotary with learnable frequencies per block and head (Heo et al. 2024;
 *       timm {@code RotaryEmbeddingMixed}, parameter {@code rope.freqs (2, depth, H, D_head/2)}),
 *       {@link Rope#mixedFrequencies}.
 *   <li>{@link #ROPE_DINOV3}: rotary on patch centres normalised to {@code [-1, 1]} (DINOv3; timm
 *       {@code RotaryEmbeddingDinoV3}), {@link Rope#dinov3Angles}.
 * </ul>
 *
 * <p>The first five are absolute: a table added to the tokens once, before the encoder. The three
 * rotary kinds are relative: they rotate each block's queries and keys of patch tokens (class and
 * register tokens pass unrotated), so a model may have one of each ({@code rope-mixed+learned}, timm's
 * {@code vit_small_patch16_rope_mixed_ape_224}); {@link #parseCombination} reads such a name.
 */
public enum PositionEmbeddingKind implements Named {
    /** No position embedding. */
    NONE,
    /** Trainable table. */
    LEARNED,
    /** Fixed 1-D sin-cos over the row-major patch index. */
    SINCOS1D,
    /** Fixed 2-D sin-cos, MAE frequencies {@code 1/10000^(i/(D/4))}. */
    SINCOS2D_MAE,
    /** Fixed 2-D sin-cos, big_vision frequencies {@code 1/10000^(i/(D/4 - 1))}. */
    SINCOS2D_BIGVISION,
    /** Rotary, fixed axial frequencies (default theta 100, column axis first, interleaved pairs). */
    ROPE_AXIAL,
    /** Rotary, learnable mixed frequencies (default theta 10, column axis first, interleaved pairs). */
    ROPE_MIXED,
    /** Rotary, DINOv3 normalised coordinates (default theta 100, row axis first, half layout). */
    ROPE_DINOV3;

    /** @return true for the three fixed sin-cos kinds, which {@link SinCosTables#table} can build */
    public boolean isSinCos() {
        return this == SINCOS1D || this == SINCOS2D_MAE || this == SINCOS2D_BIGVISION;
    }

    /** @return true for the three rotary kinds, applied to queries and keys inside attention */
    public boolean isRope() {
        return this == ROPE_AXIAL || this == ROPE_MIXED || this == ROPE_DINOV3;
    }

    /** @return the default temperature of a rotary kind (timm: RoPE-ViT 100, RoPE-Mixed 10, DINOv3 100) */
    public double defaultRopeTheta() {
        requireRope();
        return this == ROPE_MIXED ? 10.0 : 100.0;
    }

    /** @return the default pair layout of a rotary kind: half for DINOv3, interleaved otherwise (timm) */
    public RopeLayout defaultRopeLayout() {
        requireRope();
        return this == ROPE_DINOV3 ? RopeLayout.HALF : RopeLayout.INTERLEAVED;
    }

    /** @return the default axis order of a rotary kind: {@code ij} for DINOv3, {@code xy} otherwise (timm) */
    public RopeIndexing defaultRopeIndexing() {
        requireRope();
        return this == ROPE_DINOV3 ? RopeIndexing.IJ : RopeIndexing.XY;
    }

    private void requireRope() {
        if (!isRope()) {
            throw new IllegalStateException(cliName() + " is not a rotary position embedding");
        }
    }

    /**
     * Parses a position encoding of at most one absolute and at most one rotary kind joined by
     * {@code +}, in either order: {@code learned}, {@code rope-axial}, {@code rope-mixed+learned}.
     *
     * @param s the name
     * @return {@code {absolute, rotary}}: the absolute kind ({@link #NONE} if only a rotary kind is
     *     given) and the rotary kind ({@link #NONE} if none)
     * @throws IllegalArgumentException for unknown names, or two of the same sort
     */
    public static PositionEmbeddingKind[] parseCombination(String s) {
        PositionEmbeddingKind absolute = null;
        PositionEmbeddingKind rope = null;
        String[] parts = s == null ? new String[] {null} : s.split("\\+", -1);
        for (String part : parts) {
            PositionEmbeddingKind k = fromName(part);
            if (k.isRope()) {
                if (rope != null) {
                    throw new IllegalArgumentException("position embedding '" + s + "' names two rotary kinds");
                }
                rope = k;
            } else {
                if (absolute != null) {
                    throw new IllegalArgumentException("position embedding '" + s + "' names two absolute kinds");
                }
                absolute = k;
            }
        }
        if (rope != null && absolute == null) {
            absolute = NONE;
        }
        return new PositionEmbeddingKind[] {absolute, rope == null ? NONE : rope};
    }

    /**
     * Parses a {@link #cliName()}; case and {@code _} versus {@code -} are ignored, so the constant
     * name ({@code "SINCOS2D_MAE"}) is accepted too.
     *
     * @param s the name
     * @return the kind
     * @throws IllegalArgumentException naming the input and listing the valid names
     */
    public static PositionEmbeddingKind fromName(String s) {
        return Names.parse(PositionEmbeddingKind.class, "position embedding", s);
    }

    /** @return {@link #cliName()} */
    @Override
    public String toString() {
        return cliName();
    }
}
