package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.vit4j.position.SinCosLayout.INTERLEAVED;
import static org.vit4j.position.SinCosLayout.SPLIT;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.position.SinCos2d.Schedule;

/**
 * Sin-cos tables: values worked out by hand for D = 4 and 8, golden tables from the reference
 * Python (make_golden_sincos.py: MAE get_2d_sincos_pos_embed / get_1d_sincos_pos_embed_from_grid,
 * big_vision posemb_sincos_2d), the layout permutation, and argument checks.
 */
class SinCosTest {

    private static final float EPS = 1e-6f;

    private static float s(double a) {
        return (float) Math.sin(a);
    }

    private static float c(double a) {
        return (float) Math.cos(a);
    }

    // ---- facts worked out by hand ----

    @Test
    void oneDimensionalD4ByHand() {
        // D = 4: omega = [1/10000^(0/2), 1/10000^(1/2)] = [1, 0.01]
        assertArrayEquals(new double[] {1.0, 0.01}, SinCos1d.omega(4), 1e-15);
        float[][] split = SinCos1d.table(3, 4, SPLIT);
        assertArrayEquals(new float[] {0, 0, 1, 1}, split[0], 0f);
        assertArrayEquals(new float[] {s(1), s(0.01), c(1), c(0.01)}, split[1], EPS);
        assertArrayEquals(new float[] {s(2), s(0.02), c(2), c(0.02)}, split[2], EPS);
        float[][] inter = SinCos1d.table(3, 4, INTERLEAVED);
        assertArrayEquals(new float[] {s(2), c(2), s(0.02), c(0.02)}, inter[2], EPS);
    }

    @Test
    void maeD8OnNonSquareGridByHand() {
        // D = 8, K = D/4 = 2: omega_i = 1/10000^(i/2) = [1, 0.01]. Grid 3x5, patch (y=1, x=2) is row 1*5+2 = 7.
        assertArrayEquals(new double[] {1.0, 0.01}, Schedule.MAE.omega(8), 1e-15);
        float[][] t = SinCos2d.table(3, 5, 8, Schedule.MAE, SPLIT);
        assertEquals(15, t.length);
        assertArrayEquals(new float[] {s(2), s(0.02), c(2), c(0.02), s(1), s(0.01), c(1), c(0.01)},
                t[7], EPS);
        float[][] i = SinCos2d.table(3, 5, 8, Schedule.MAE, INTERLEAVED);
        assertArrayEquals(new float[] {s(2), c(2), s(0.02), c(0.02), s(1), c(1), s(0.01), c(0.01)},
                i[7], EPS);
        // last patch (y=2, x=4)
        assertArrayEquals(new float[] {s(4), s(0.04), c(4), c(0.04), s(2), s(0.02), c(2), c(0.02)},
                t[14], EPS);
    }

    @Test
    void bigVisionD8ByHand() {
        // D = 8, K = 2: omega_i = 1/10000^(i/(K-1)) = [1, 1e-4]: the last frequency is exactly 1/temperature.
        assertArrayEquals(new double[] {1.0, 1e-4}, Schedule.BIG_VISION.omega(8), 1e-15);
        float[][] t = SinCos2d.table(2, 3, 8, Schedule.BIG_VISION, SPLIT);
        // patch (y=1, x=2) is row 5
        assertArrayEquals(new float[] {s(2), s(2e-4), c(2), c(2e-4), s(1), s(1e-4), c(1), c(1e-4)},
                t[5], EPS);
        // patch (0, 0) is [0 | 1 | 0 | 1]
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 1, 1}, t[0], 0f);
    }

    @Test
    void variantsDifferOnlyInFrequencies() {
        // D = 16, K = 4: MAE 1/10000^(i/4) vs big_vision 1/10000^(i/3)
        double[] mae = Schedule.MAE.omega(16);
        double[] bv = Schedule.BIG_VISION.omega(16);
        for (int k = 0; k < 4; k++) {
            assertEquals(Math.pow(10000, -k / 4.0), mae[k], 1e-15);
            assertEquals(Math.pow(10000, -k / 3.0), bv[k], 1e-15);
        }
    }

    // ---- golden tables from the reference Python ----

    static List<Arguments> golden2d() {
        List<Arguments> out = new ArrayList<>();
        int[][] grids = {{2, 2}, {4, 4}, {7, 7}, {3, 5}};
        for (int[] g : grids) {
            for (int d : new int[] {8, 16, 64}) {
                out.add(Arguments.of(g[0], g[1], d, Schedule.MAE));
                out.add(Arguments.of(g[0], g[1], d, Schedule.BIG_VISION));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{3} {0}x{1} D={2}")
    @MethodSource("golden2d")
    void matchesReference2d(int rows, int cols, int dim, Schedule variant) throws IOException {
        String file = String.format("sincos2d_%s_r%d_c%d_d%d.npy",
                variant == Schedule.MAE ? "mae" : "bigvision", rows, cols, dim);
        Golden.assertClose(Golden.load(file), SinCos2d.table(rows, cols, dim, variant, SPLIT),
                1e-6, file);
    }

    @ParameterizedTest(name = "N={0} D={1}")
    @CsvSource({"1, 8", "5, 16", "17, 64", "50, 6"})
    void matchesReference1d(int n, int dim) throws IOException {
        String file = String.format("sincos1d_n%d_d%d.npy", n, dim);
        Golden.assertClose(Golden.load(file), SinCos1d.table(n, dim, SPLIT), 1e-6, file);
    }

    @ParameterizedTest(name = "{0} on 3x5, D={1}")
    @CsvSource({"SINCOS1D, 16", "SINCOS2D_MAE, 16", "SINCOS2D_BIGVISION, 64"})
    void tablesDispatchByKind(PositionEmbeddingKind kind, int dim) throws IOException {
        float[][] t = SinCosTables.table(kind, 3, 5, dim, SPLIT);
        float[][] expected = switch (kind) {
            case SINCOS1D -> SinCos1d.table(15, dim, SPLIT); // positions = rows*cols, row-major
            case SINCOS2D_MAE -> Golden.load("sincos2d_mae_r3_c5_d16.npy");
            default -> Golden.load("sincos2d_bigvision_r3_c5_d64.npy");
        };
        Golden.assertClose(expected, t, 1e-6, kind.cliName());
    }

    // ---- the INTERLEAVED layout is a column permutation of SPLIT ----

    @Test
    void permutationsWrittenOut() {
        assertArrayEquals(new int[] {0, 3, 1, 4, 2, 5}, SinCos1d.interleavedToSplit(6));
        // x half: sin x0, cos x0, sin x1, cos x1 -> 0, 2, 1, 3; y half the same shifted by 4
        assertArrayEquals(new int[] {0, 2, 1, 3, 4, 6, 5, 7}, SinCos2d.interleavedToSplit(8));
    }

    static List<Arguments> permutationCases() {
        return List.of(
                Arguments.of("sincos1d", 16, (IntFunction<float[][][]>) d -> new float[][][] {
                    SinCos1d.table(15, d, SPLIT), SinCos1d.table(15, d, INTERLEAVED)}),
                Arguments.of("sincos2d-mae", 16, (IntFunction<float[][][]>) d -> new float[][][] {
                    SinCos2d.table(3, 5, d, Schedule.MAE, SPLIT),
                    SinCos2d.table(3, 5, d, Schedule.MAE, INTERLEAVED)}),
                Arguments.of("sincos2d-bigvision", 24, (IntFunction<float[][][]>) d -> new float[][][] {
                    SinCos2d.table(3, 5, d, Schedule.BIG_VISION, SPLIT),
                    SinCos2d.table(3, 5, d, Schedule.BIG_VISION, INTERLEAVED)}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("permutationCases")
    void interleavedColumnJIsSplitColumnPermJ(String name, int dim, IntFunction<float[][][]> build) {
        float[][][] both = build.apply(dim);
        float[][] split = both[0];
        float[][] inter = both[1];
        int[] perm = name.equals("sincos1d")
                ? SinCos1d.interleavedToSplit(dim) : SinCos2d.interleavedToSplit(dim);
        boolean[] seen = new boolean[dim];
        for (int j = 0; j < dim; j++) {
            seen[perm[j]] = true;
            for (int p = 0; p < split.length; p++) {
                assertEquals(split[p][perm[j]], inter[p][j], 0f, name + " row " + p + " column " + j);
            }
        }
        for (int j = 0; j < dim; j++) {
            assertEquals(true, seen[j], name + ": perm misses column " + j);
        }
    }

    // ---- bad arguments fail fast with the numbers ----

    @Test
    void oddDimIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinCos1d.table(4, 7, SPLIT));
        assertEquals("dim 7: sincos1d needs an even width of at least 2 (half sin, half cos)",
                e.getMessage());
    }

    @Test
    void dimNotMultipleOf4IsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinCos2d.table(4, 4, 18, Schedule.MAE, SPLIT));
        assertEquals("dim 18: sincos2d-mae needs a positive multiple of 4 "
                + "(sin x | cos x | sin y | cos y)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SinCosTables.table(PositionEmbeddingKind.SINCOS2D_BIGVISION, 4, 4, 6, SPLIT));
        assertEquals("dim 6: sincos2d-bigvision needs a positive multiple of 4 "
                + "(sin x | cos x | sin y | cos y)", e.getMessage());
    }

    @Test
    void bigVisionNeedsDimAtLeast8() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinCos2d.table(2, 2, 4, Schedule.BIG_VISION, SPLIT));
        assertEquals("dim 4: sincos2d-bigvision needs at least 8: omega_i = "
                + "1/10000^(i/(D/4 - 1)) divides by D/4 - 1 = 0", e.getMessage());
        // MAE has no such limit: D = 4 gives omega = [1]
        assertArrayEquals(new double[] {1.0}, Schedule.MAE.omega(4), 0.0);
    }

    @Test
    void emptyGridIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinCos2d.table(0, 5, 16, Schedule.MAE, SPLIT));
        assertEquals("sincos2d-mae grid must be at least 1x1, got 0x5 (rows x cols)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SinCosTables.table(PositionEmbeddingKind.SINCOS1D, 3, 0, 16, SPLIT));
        assertEquals("sincos1d grid must be at least 1x1, got 3x0 (rows x cols)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SinCos1d.table(0, 16, SPLIT));
        assertEquals("sincos1d positions must be >= 1, got 0", e.getMessage());
    }

    @Test
    void learnedAndNoneHaveNoFixedTable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinCosTables.table(PositionEmbeddingKind.LEARNED, 4, 4, 16, SPLIT));
        assertEquals("position embedding 'learned' has no fixed sin-cos table; sin-cos kinds are "
                + "sincos1d, sincos2d-mae, sincos2d-bigvision", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SinCosTables.table(PositionEmbeddingKind.NONE, 4, 4, 16, SPLIT));
    }
}
