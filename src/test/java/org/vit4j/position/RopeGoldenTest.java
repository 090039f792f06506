package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.vit4j.io.Npy;
import org.vit4j.patch.PatchGrid;

/**
 * The rotation tables against timm's own modules ({@code get_embed} of {@code RotaryEmbeddingCat},
 * {@code RotaryEmbeddingDinoV3}, {@code RotaryEmbeddingMixed} on a 3x5 grid, head width 16), made by
 * {@code src/test/resources/interop/timm/make_fixtures.py} and, for {@code ref_feat_shape},
 * {@code make_interpolation_fixtures.py}.
 */
class RopeGoldenTest {

    private static Npy.Array golden(String name) throws IOException {
        try {
            return Npy.read(Path.of(RopeGoldenTest.class.getResource("/interop/timm/" + name).toURI()));
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name, e);
        }
    }

    private static void assertTable(Npy.Array want, float[][] got, String what) {
        int n = got.length;
        int w = got[0].length;
        assertArrayEquals(new long[] {n, w}, want.shape(), what + " shape");
        float[] flat = new float[n * w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(got[i], 0, flat, i * w, w);
        }
        assertArrayEquals(want.data(), flat, 2e-6f, what);
    }

    @Test
    void axialIsTimmsRotaryEmbeddingCat() throws IOException {
        assertTable(golden("rope_axial_embed_3x5.npy"),
                Rope.embedding(Rope.axialAngles(3, 5, 16, 100, RopeIndexing.XY), RopeLayout.INTERLEAVED), "xy, theta 100");
        assertTable(golden("rope_axial_ij_embed_3x5.npy"),
                Rope.embedding(Rope.axialAngles(3, 5, 16, 10000, RopeIndexing.IJ), RopeLayout.INTERLEAVED), "ij, theta 1e4");
    }

    /**
     * {@link PositionScaling#INTERPOLATE} is timm's {@code ref_feat_shape} (EVA-02's scheme): a 3x5
     * grid of a model configured for 2x4 (coordinates shrunk) and for 6x10 (stretched), made by
     * {@code make_interpolation_fixtures.py}.
     */
    @Test
    void interpolatedAxialIsTimmsRefFeatShape() throws IOException {
        PatchGrid grid = new PatchGrid(3, 5, 16);
        GridCoordinates shrunk = GridCoordinates.of(grid, new PatchGrid(2, 4, 16), PositionScaling.INTERPOLATE);
        assertTable(golden("rope_axial_ref2x4_embed_3x5.npy"),
                Rope.embedding(Rope.axialAngles(shrunk, 16, 100, RopeIndexing.XY), RopeLayout.INTERLEAVED), "xy, ref 2x4");
        GridCoordinates stretched = GridCoordinates.of(grid, new PatchGrid(6, 10, 16), PositionScaling.INTERPOLATE);
        assertTable(golden("rope_axial_ij_ref6x10_embed_3x5.npy"),
                Rope.embedding(Rope.axialAngles(stretched, 16, 10000, RopeIndexing.IJ), RopeLayout.INTERLEAVED), "ij, ref 6x10");
    }

    @Test
    void dinov3IsTimmsRotaryEmbeddingDinoV3() throws IOException {
        assertTable(golden("rope_dinov3_embed_3x5.npy"),
                Rope.embedding(Rope.dinov3Angles(3, 5, 16, 100), RopeLayout.HALF), "dinov3");
    }

    @Test
    void mixedIsTimmsGetMixedFreqs() throws IOException {
        Npy.Array freqs = golden("rope_mixed_freqs.npy"); // (2, depth 2, heads 2, 8)
        Npy.Array embed = golden("rope_mixed_embed_3x5.npy"); // (2, 2, 15, 32)
        assertArrayEquals(new long[] {2, 2, 2, 8}, freqs.shape());
        float[] f = freqs.data();
        int perAxis = 2 * 2 * 8;
        for (int i = 0; i < 4; i++) { // block-major (block, head)
            float[] fx = Arrays.copyOfRange(f, i * 8, i * 8 + 8);
            float[] fy = Arrays.copyOfRange(f, perAxis + i * 8, perAxis + i * 8 + 8);
            float[][] got = Rope.embedding(Rope.mixedAngles(fx, fy, 3, 5, RopeIndexing.XY), RopeLayout.INTERLEAVED);
            float[] want = Arrays.copyOfRange(embed.data(), i * 15 * 32, (i + 1) * 15 * 32);
            float[] flat = new float[15 * 32];
            for (int n = 0; n < 15; n++) {
                System.arraycopy(got[n], 0, flat, n * 32, 32);
            }
            assertArrayEquals(want, flat, 2e-6f, "block/head " + i);
            // and timm's random initial frequencies have the magnitudes of init_random_2d_freqs
            for (int l = 0; l < 4; l++) {
                double mag = Math.hypot(fx[l], fy[l]);
                assertTrue(Math.abs(mag - Math.pow(10, -4.0 * l / 16)) < 1e-5, "magnitude " + l + ": " + mag);
            }
        }
    }
}
