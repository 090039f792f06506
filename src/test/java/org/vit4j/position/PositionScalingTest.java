package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.vit4j.patch.PatchGrid;

/**
 * Where the patches of another grid sit ({@link GridCoordinates}, {@link PositionScaling}): the
 * trained grid is the same under both scalings, the extrapolated tables are the plain ones, and an
 * interpolated grid of twice the size puts its even patches exactly on the trained grid's.
 */
class PositionScalingTest {

    private static final PatchGrid TRAINED = new PatchGrid(4, 6, 16);
    private static final PatchGrid DOUBLE = new PatchGrid(8, 12, 16);

    @Test
    void coordinatesOfEachScaling() {
        GridCoordinates own = GridCoordinates.of(DOUBLE, TRAINED, PositionScaling.EXTRAPOLATE);
        assertEquals(GridCoordinates.of(8, 12), own);
        assertEquals(7.0, own.row(7));
        assertEquals(5 * 12 + 11.0, own.flat(5, 11));
        GridCoordinates in = GridCoordinates.of(DOUBLE, TRAINED, PositionScaling.INTERPOLATE);
        assertEquals(3.5, in.row(7));
        assertEquals(5.5, in.col(11));
        assertEquals(2.5 * 6 + 5.5, in.flat(5, 11), "flattened over the trained grid's row length");
        GridCoordinates bigger = GridCoordinates.of(new PatchGrid(3, 4, 16), TRAINED, PositionScaling.INTERPOLATE);
        assertEquals(2 * 4.0 / 3, bigger.row(2), 1e-15);
        assertEquals(3 * 6.0 / 4, bigger.col(3), 1e-15);
        for (PositionScaling s : PositionScaling.values()) {
            assertEquals(GridCoordinates.of(4, 6), GridCoordinates.of(TRAINED, TRAINED, s), "the trained grid, " + s);
        }
        assertEquals("grid must be at least 1x1, got 0x3",
                assertThrows(IllegalArgumentException.class, () -> GridCoordinates.of(0, 3)).getMessage());
        assertEquals(PositionScaling.INTERPOLATE, PositionScaling.fromName("Interpolate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PositionScaling.fromName("stretch"))
                .getMessage().startsWith("unknown position scaling 'stretch'"));
    }

    @ParameterizedTest
    @EnumSource(value = PositionEmbeddingKind.class, names = {"SINCOS1D", "SINCOS2D_MAE", "SINCOS2D_BIGVISION"})
    void sinCosTables(PositionEmbeddingKind kind) {
        for (SinCosLayout layout : SinCosLayout.values()) {
            float[][] trained = SinCosTables.table(kind, 4, 6, 32, layout);
            // a grid's own coordinates give the plain table, bit for bit
            assertTrue(Arrays.deepEquals(SinCosTables.table(kind, 8, 12, 32, layout),
                    SinCosTables.table(kind, GridCoordinates.of(8, 12), 32, layout)), kind + " " + layout);
            float[][] in = SinCosTables.table(kind, GridCoordinates.of(DOUBLE, TRAINED, PositionScaling.INTERPOLATE), 32, layout);
            assertEquals(96, in.length);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 12; x++) {
                    float[] row = in[y * 12 + x];
                    if (y % 2 == 0 && x % 2 == 0) {
                        assertArrayEquals(trained[y / 2 * 6 + x / 2], row, kind + " " + layout + " patch " + y + "," + x);
                    } else if (kind != PositionEmbeddingKind.SINCOS1D) { // 1-D: row 1 of 8 is flat position 3 of 4x6
                        assertFalse(Arrays.asList(trained).stream().anyMatch(t -> Arrays.equals(t, row)),
                                "patch " + y + "," + x + " sits between the trained positions");
                    }
                }
            }
        }
    }

    @Test
    void rotaryAngles() {
        float[][] trained = Rope.axialAngles(4, 6, 16, 100, RopeIndexing.XY);
        float[][] in = Rope.axialAngles(GridCoordinates.of(DOUBLE, TRAINED, PositionScaling.INTERPOLATE), 16, 100,
                RopeIndexing.XY);
        float[][] t = Rope.mixedCoordinates(GridCoordinates.of(DOUBLE, TRAINED, PositionScaling.INTERPOLATE), RopeIndexing.IJ);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 12; x++) {
                if (y % 2 == 0 && x % 2 == 0) {
                    assertArrayEquals(trained[y / 2 * 6 + x / 2], in[y * 12 + x], "patch " + y + "," + x);
                }
                assertEquals(y / 2f, t[0][y * 12 + x], "t_x is the row under ij");
                assertEquals(x / 2f, t[1][y * 12 + x]);
            }
        }
        assertTrue(Arrays.deepEquals(Rope.axialAngles(8, 12, 16, 100, RopeIndexing.XY),
                Rope.axialAngles(GridCoordinates.of(8, 12), 16, 100, RopeIndexing.XY)));
    }

    /** The blocks: the configured grid is unchanged by the scaling; another grid follows it. */
    @Test
    void blocksFollowTheirScaling() {
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray like = m.zeros(new ai.djl.ndarray.types.Shape(1));
            RotaryEmbedding ex = new RotaryEmbedding(PositionEmbeddingKind.ROPE_AXIAL, RopeLayout.INTERLEAVED,
                    RopeIndexing.XY, 100, 32, 2, 1, TRAINED, PositionScaling.EXTRAPOLATE);
            RotaryEmbedding in = new RotaryEmbedding(PositionEmbeddingKind.ROPE_AXIAL, RopeLayout.INTERLEAVED,
                    RopeIndexing.XY, 100, 32, 2, 1, TRAINED, PositionScaling.INTERPOLATE);
            NDList atTrained = ex.rotations(ps, TRAINED, like, false).get(0);
            assertTrue(atTrained.get(0).contentEquals(in.rotations(ps, TRAINED, like, false).get(0).get(0)));
            NDArray cosEx = ex.rotations(ps, DOUBLE, like, false).get(0).get(0);
            NDArray cosIn = in.rotations(ps, DOUBLE, like, false).get(0).get(0);
            float[][][] want = Rope.cosSin(Rope.axialAngles(GridCoordinates.of(DOUBLE, TRAINED, PositionScaling.INTERPOLATE),
                    16, 100, RopeIndexing.XY));
            assertArrayEquals(flatten(want[0]), cosIn.toFloatArray());
            assertFalse(cosEx.contentEquals(cosIn));
            assertArrayEquals(Rope.mixedCoordinates(GridCoordinates.of(DOUBLE, TRAINED, PositionScaling.INTERPOLATE),
                    RopeIndexing.XY)[0], in.mixedCoordinates(DOUBLE)[0]);
        }
    }

    private static float[] flatten(float[][] t) {
        float[] out = new float[t.length * t[0].length];
        for (int i = 0; i < t.length; i++) {
            System.arraycopy(t[i], 0, out, i * t[0].length, t[0].length);
        }
        return out;
    }
}
