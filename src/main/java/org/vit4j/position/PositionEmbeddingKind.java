package org.vit4j.position;

import java.util.Map;
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
 *       {@link SinCos2d.Variant#MAE}.
 *   <li>{@link #SINCOS2D_BIGVISION}: fixed 2-D sin-cos table of big_vision/SimpleViT
 *       {@code posemb_sincos_2d}, {@link SinCos2d.Variant#BIG_VISION}.
 * </ul>
 */
public enum PositionEmbeddingKind {
    /** No position embedding. */
    NONE("none"),
    /** Trainable table. */
    LEARNED("learned"),
    /** Fixed 1-D sin-cos over the row-major patch index. */
    SINCOS1D("sincos1d"),
    /** Fixed 2-D sin-cos, MAE frequencies {@code 1/10000^(i/(D/4))}. */
    SINCOS2D_MAE("sincos2d-mae"),
    /** Fixed 2-D sin-cos, big_vision frequencies {@code 1/10000^(i/(D/4 - 1))}. */
    SINCOS2D_BIGVISION("sincos2d-bigvision");

    private final String cliName;

    PositionEmbeddingKind(String cliName) {
        this.cliName = cliName;
    }

    /** @return the lower-case name used on the command line and in configs, e.g. {@code "sincos2d-mae"} */
    public String cliName() {
        return cliName;
    }

    /** @return true for the three fixed sin-cos kinds, which {@link SinCosTables#table} can build */
    public boolean isSinCos() {
        return this == SINCOS1D || this == SINCOS2D_MAE || this == SINCOS2D_BIGVISION;
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
        return Names.parse(values(), PositionEmbeddingKind::cliName, "position embedding", s, Map.of());
    }

    /** @return {@link #cliName()} */
    @Override
    public String toString() {
        return cliName;
    }
}
