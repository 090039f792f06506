package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Facts about the rotary angle tables: both pair layouts are one rotation with permuted head
 * dimensions, rotated products depend only on the offset between patches, and the formulas'
 * values worked out by hand. Golden tables from timm itself are in {@code TimmRopeGoldenTest}.
 */
class RopeTest {

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void axialAnglesByHand() {
        // D = 8: 2 frequencies 1/100^(0/2) = 1 and 1/100^(1/2) = 0.1; xy: column first
        float[][] a = Rope.axialAngles(2, 3, 8, 100, RopeIndexing.XY);
        assertEquals(6, a.length);
        // patch (y=1, x=2) is row 5
        assertArrayEquals(new float[] {2f, 0.2f, 1f, 0.1f}, a[5], 1e-6f);
        float[][] ij = Rope.axialAngles(2, 3, 8, 100, RopeIndexing.IJ);
        assertArrayEquals(new float[] {1f, 0.1f, 2f, 0.2f}, ij[5], 1e-6f);
    }

    @Test
    void dinov3AnglesByHand() {
        // D = 8: periods 100^(2*0/4) = 1 and 100^(2/4) = 10; 2x4 grid, patch (1, 0):
        // h = 2*(1.5/2) - 1 = 0.5, w = 2*(0.5/4) - 1 = -0.75
        float[][] a = Rope.dinov3Angles(2, 4, 8, 100);
        double tp = 2 * Math.PI;
        assertArrayEquals(new float[] {(float) (tp * 0.5), (float) (tp * 0.05), (float) (tp * -0.75),
                (float) (tp * -0.075)}, a[4], 1e-5f);
    }

    @Test
    void mixedFrequenciesByHand() {
        // D = 8, magnitudes 1/10^(0/8) = 1, 1/10^(4/8); one block, one head, angle 0:
        // fx = [m cos 0 | m cos pi/2] = [1, 0.316, 0, 0], fy = [0, 0, 1, 0.316]
        float[] f = Rope.mixedFrequencies(8, 1, 1, 10, new float[] {0f});
        float m = (float) Math.pow(10, -0.5);
        assertArrayEquals(new float[] {1, m, 0, 0, 0, 0, 1, m}, f, 1e-6f);
        // so at angle 0 RoPE-Mixed is axial RoPE with theta 10^2 = 100 on a D/2-wide schedule: t_x on
        // the first pairs, t_y on the last
        float[][] a = Rope.mixedAngles(new float[] {1, m, 0, 0}, new float[] {0, 0, 1, m}, 2, 3, RopeIndexing.XY);
        assertArrayEquals(new float[] {2f, 2 * m, 1f, m}, a[5], 1e-6f);
    }

    @ParameterizedTest
    @EnumSource(RopeLayout.class)
    void cosSinTablesRotateAsRotate(RopeLayout layout) {
        Random r = new Random(3);
        float[][] angles = Rope.axialAngles(3, 2, 8, 100, RopeIndexing.XY);
        float[][][] cs = Rope.cosSin(angles, layout);
        float[] x = gaussian(r, 8);
        // x*cos + rot(x)*sin, with rot built from the layout's pairs
        float[] rot = new float[8];
        for (int p = 0; p < 4; p++) {
            rot[layout.first(p, 8)] = -x[layout.second(p, 8)];
            rot[layout.second(p, 8)] = x[layout.first(p, 8)];
        }
        for (int n = 0; n < angles.length; n++) {
            float[] want = Rope.rotate(x, angles[n], layout);
            for (int j = 0; j < 8; j++) {
                assertEquals(want[j], x[j] * cs[0][n][j] + rot[j] * cs[1][n][j], 1e-6f);
            }
        }
    }

    @Test
    void halfAndInterleavedAreOneRotationWithPermutedHeadDimensions() {
        Random r = new Random(5);
        int d = 16;
        int[] perm = new int[d]; // interleaved[j] = half[perm[j]]
        for (int p = 0; p < d / 2; p++) {
            perm[2 * p] = p;
            perm[2 * p + 1] = p + d / 2;
        }
        assertArrayEquals(new int[] {0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15}, perm);
        float[][] angles = Rope.dinov3Angles(3, 5, d, 100);
        float[] half = gaussian(r, d);
        float[] inter = new float[d];
        for (int j = 0; j < d; j++) {
            inter[j] = half[perm[j]];
        }
        for (float[] a : angles) {
            float[] rh = Rope.rotate(half, a, RopeLayout.HALF);
            float[] ri = Rope.rotate(inter, a, RopeLayout.INTERLEAVED);
            for (int j = 0; j < d; j++) {
                assertEquals(rh[perm[j]], ri[j], 1e-6f);
            }
            // and different without the permutation
            assertTrue(Math.abs(dot(Rope.rotate(half, a, RopeLayout.INTERLEAVED), half)
                    - dot(rh, half)) > 1e-3 || isZero(a));
        }
    }

    private static boolean isZero(float[] a) {
        for (float v : a) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    /** Angle tables of one head for a 5x6 grid, by kind. */
    private static float[][] angles(String kind, int d) {
        return switch (kind) {
            case "axial-xy" -> Rope.axialAngles(5, 6, d, 100, RopeIndexing.XY);
            case "axial-ij" -> Rope.axialAngles(5, 6, d, 10000, RopeIndexing.IJ);
            case "dinov3" -> Rope.dinov3Angles(5, 6, d, 100);
            default -> {
                float[] f = Rope.mixedFrequencies(d, 1, 1, 10, new float[] {1.234f});
                float[] fx = java.util.Arrays.copyOfRange(f, 0, d / 2);
                float[] fy = java.util.Arrays.copyOfRange(f, d / 2, d);
                yield Rope.mixedAngles(fx, fy, 5, 6, RopeIndexing.XY);
            }
        };
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"axial-xy", "axial-ij", "dinov3", "mixed"})
    void rotatedProductDependsOnlyOnTheOffset(String kind) {
        int d = 16;
        float[][] a = angles(kind, d);
        Random r = new Random(11);
        float[] q = gaussian(r, d);
        float[] k = gaussian(r, d);
        for (RopeLayout layout : RopeLayout.values()) {
            // patches (y, x) = (0, 1) and (2, 0), then both moved by (2, 3), (1, 4), (2, 0), all inside 5x6
            double base = dot(Rope.rotate(q, a[1], layout), Rope.rotate(k, a[2 * 6], layout));
            for (int[] o : new int[][] {{2, 3}, {1, 4}, {2, 0}}) {
                int m = o[0] * 6 + 1 + o[1];
                int n = (2 + o[0]) * 6 + o[1];
                double moved = dot(Rope.rotate(q, a[m], layout), Rope.rotate(k, a[n], layout));
                assertEquals(base, moved, 1e-4, kind + " " + layout + " offset " + o[0] + "," + o[1]);
            }
            // while another pair at a different offset gives another product
            double other = dot(Rope.rotate(q, a[0], layout), Rope.rotate(k, a[2 * 6 + 3], layout));
            assertTrue(Math.abs(base - other) > 1e-3, kind + ": products do not depend on position at all");
        }
    }

    @Test
    void badSizesAreRefusedWithTheNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rope.axialAngles(2, 2, 6, 100, RopeIndexing.XY));
        assertEquals("headDim 6: rotary embeddings need a head width divisible by 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rope.dinov3Angles(0, 2, 8, 100));
        assertEquals("grid must be positive, got 0x2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Rope.mixedFrequencies(8, 2, 3, 10, new float[5]));
        assertEquals("need 6 angles (depth x heads), got 5", e.getMessage());
    }

    @Test
    void combinationsParse() {
        PositionEmbeddingKind[] k = PositionEmbeddingKind.parseCombination("rope-mixed+learned");
        assertArrayEquals(new PositionEmbeddingKind[] {PositionEmbeddingKind.LEARNED, PositionEmbeddingKind.ROPE_MIXED}, k);
        assertArrayEquals(new PositionEmbeddingKind[] {PositionEmbeddingKind.NONE, PositionEmbeddingKind.ROPE_AXIAL},
                PositionEmbeddingKind.parseCombination("rope-axial"));
        assertArrayEquals(new PositionEmbeddingKind[] {PositionEmbeddingKind.SINCOS2D_MAE, PositionEmbeddingKind.NONE},
                PositionEmbeddingKind.parseCombination("sincos2d-mae"));
        assertEquals("position embedding 'rope-axial+rope-mixed' names two rotary kinds",
                assertThrows(IllegalArgumentException.class,
                        () -> PositionEmbeddingKind.parseCombination("rope-axial+rope-mixed")).getMessage());
        assertEquals("position embedding 'learned+none' names two absolute kinds",
                assertThrows(IllegalArgumentException.class,
                        () -> PositionEmbeddingKind.parseCombination("learned+none")).getMessage());
    }
}
