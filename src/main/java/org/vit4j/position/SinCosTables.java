package org.vit4j.position;

import java.util.Objects;

/**
 * Builds the fixed table of a sin-cos {@link PositionEmbeddingKind} for a {@code rows x cols}
 * patch grid: the one entry point the position-embedding block calls.
 *
 * <ul>
 *   <li>{@link PositionEmbeddingKind#SINCOS1D}: {@link SinCos1d#table} over
 *       {@code positions = rows*cols}; patch {@code (y, x)} gets position {@code y*cols + x}.
 *   <li>{@link PositionEmbeddingKind#SINCOS2D_MAE}: {@link SinCos2d#table} with
 *       {@link SinCos2d.Schedule#MAE}.
 *   <li>{@link PositionEmbeddingKind#SINCOS2D_BIGVISION}: {@link SinCos2d#table} with
 *       {@link SinCos2d.Schedule#BIG_VISION}.
 * </ul>
 * Output shape {@code (rows*cols, D)}, row-major patch order; prefix tokens (class, registers)
 * are not included.
 */
public final class SinCosTables {

    private SinCosTables() {}

    /**
     * Dispatches to the 1-D or 2-D builder.
     *
     * @param kind a kind with {@link PositionEmbeddingKind#isSinCos()}
     * @param rows grid height {@code >= 1}
     * @param cols grid width {@code >= 1}
     * @param dim embedding width {@code D} (even for 1-D, a multiple of 4 for 2-D, {@code >= 8} for
     *     big_vision)
     * @param layout column order of the sines and cosines
     * @return a new {@code float[rows*cols][dim]}
     * @throws IllegalArgumentException for {@link PositionEmbeddingKind#NONE},
     *     {@link PositionEmbeddingKind#LEARNED} and the rotary kinds, which have no fixed table, or
     *     on invalid sizes
     */
    public static float[][] table(PositionEmbeddingKind kind, int rows, int cols, int dim,
            SinCosLayout layout) {
        Objects.requireNonNull(kind, "kind");
        return switch (kind) {
            case SINCOS1D -> {
                if (rows < 1 || cols < 1) {
                    throw new IllegalArgumentException("sincos1d grid must be at least 1x1, got "
                            + rows + "x" + cols + " (rows x cols)");
                }
                yield SinCos1d.table(Math.multiplyExact(rows, cols), dim, layout);
            }
            case SINCOS2D_MAE -> SinCos2d.table(rows, cols, dim, SinCos2d.Schedule.MAE, layout);
            case SINCOS2D_BIGVISION ->
                    SinCos2d.table(rows, cols, dim, SinCos2d.Schedule.BIG_VISION, layout);
            case NONE, LEARNED, ROPE_AXIAL, ROPE_MIXED, ROPE_DINOV3 -> throw notSinCos(kind);
        };
    }

    /**
     * The table at a grid's coordinates, which {@link PositionScaling#INTERPOLATE} makes fractional
     * ({@code sincos1d} at each patch's {@link GridCoordinates#flat}); equal to
     * {@link #table(PositionEmbeddingKind, int, int, int, SinCosLayout)} at a grid's own coordinates.
     *
     * @param kind a kind with {@link PositionEmbeddingKind#isSinCos()}
     * @param grid where each patch sits
     * @param dim embedding width {@code D}
     * @param layout column order of the sines and cosines
     * @return a new {@code float[rows*cols][dim]}
     * @throws IllegalArgumentException for kinds without a fixed table or an invalid {@code dim}
     */
    public static float[][] table(PositionEmbeddingKind kind, GridCoordinates grid, int dim, SinCosLayout layout) {
        Objects.requireNonNull(kind, "kind");
        return switch (kind) {
            case SINCOS1D -> {
                double[] omega = SinCos1d.omega(dim);
                Objects.requireNonNull(layout, "layout");
                float[][] out = new float[grid.size()][dim];
                for (int y = 0; y < grid.rows(); y++) {
                    for (int x = 0; x < grid.cols(); x++) {
                        SinCos1d.fill(out[y * grid.cols() + x], 0, grid.flat(y, x), omega, layout);
                    }
                }
                yield out;
            }
            case SINCOS2D_MAE -> SinCos2d.table(grid, dim, SinCos2d.Schedule.MAE, layout);
            case SINCOS2D_BIGVISION -> SinCos2d.table(grid, dim, SinCos2d.Schedule.BIG_VISION, layout);
            case NONE, LEARNED, ROPE_AXIAL, ROPE_MIXED, ROPE_DINOV3 -> throw notSinCos(kind);
        };
    }

    private static IllegalArgumentException notSinCos(PositionEmbeddingKind kind) {
        return new IllegalArgumentException("position embedding '" + kind.cliName()
                + "' has no fixed sin-cos table; sin-cos kinds are sincos1d, sincos2d-mae, sincos2d-bigvision");
    }
}
