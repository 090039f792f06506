package org.vit4j.patch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vit4j.Offline;

/** Patch order, exact round trip and error messages of {@link Patchify} and {@link PatchGrid}. */
class PatchifyTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        Offline.ensure();
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void unpatchifyUndoesPatchifyExactly() {
        Random r = new Random(7);
        float[] x = new float[2 * 3 * 32 * 48];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray images = m.create(x, new Shape(2, 3, 32, 48));
            NDArray tokens = Patchify.patchify(images, 16);
            assertEquals(new Shape(2, 6, 3 * 16 * 16), tokens.getShape()); // 2x3 grid of 16 px
            NDArray back = Patchify.unpatchify(tokens, PatchGrid.of(32, 48, 16), 3);
            assertEquals(new Shape(2, 3, 32, 48), back.getShape());
            assertArrayEquals(x, back.toFloatArray());
        }
    }

    @Test
    void patchifyOrderIsChannelRowColumnWithinRowMajorPatches() {
        // image (1, 2, 4, 4) with value c*100 + y*10 + x, patch 2: a 2x2 grid of patches
        float[] x = new float[2 * 4 * 4];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 4; y++) {
                for (int xx = 0; xx < 4; xx++) {
                    x[(c * 4 + y) * 4 + xx] = c * 100 + y * 10 + xx;
                }
            }
        }
        float[] expected = {
            // patch 0 (row 0, col 0): c0 (0,0) (0,1) (1,0) (1,1), then c1
            0, 1, 10, 11, 100, 101, 110, 111,
            // patch 1 (row 0, col 1)
            2, 3, 12, 13, 102, 103, 112, 113,
            // patch 2 (row 1, col 0)
            20, 21, 30, 31, 120, 121, 130, 131,
            // patch 3 (row 1, col 1)
            22, 23, 32, 33, 122, 123, 132, 133,
        };
        try (NDManager m = manager.newSubManager()) {
            NDArray tokens = Patchify.patchify(m.create(x, new Shape(1, 2, 4, 4)), 2);
            assertEquals(new Shape(1, 4, 8), tokens.getShape());
            assertArrayEquals(expected, tokens.toFloatArray());
            NDArray back = Patchify.unpatchify(m.create(expected, new Shape(1, 4, 8)), new PatchGrid(2, 2, 2), 2);
            assertArrayEquals(x, back.toFloatArray());
        }
    }

    @Test
    void patchifyErrorsNameTheNumbers() {
        try (NDManager m = manager.newSubManager()) {
            IllegalArgumentException h = assertThrows(IllegalArgumentException.class,
                    () -> Patchify.patchify(m.zeros(new Shape(1, 1, 33, 32)), 16));
            assertEquals("image height 33 is not a multiple of patch size 16", h.getMessage());
            IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                    () -> Patchify.patchify(m.zeros(new Shape(1, 1, 32, 40)), 16));
            assertEquals("image width 40 is not a multiple of patch size 16", w.getMessage());
            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                    () -> Patchify.patchify(m.zeros(new Shape(1, 32, 32)), 16));
            assertEquals("patchify expects images (B, C, H, W), got shape (1, 32, 32)", rank.getMessage());
            IllegalArgumentException un = assertThrows(IllegalArgumentException.class,
                    () -> Patchify.unpatchify(m.zeros(new Shape(1, 5, 768)), PatchGrid.of(32, 48, 16), 3));
            assertEquals("unpatchify expects tokens (B, 6, 768) for grid 2x3 of 16 px and 3 channels,"
                    + " got shape (1, 5, 768)", un.getMessage());
        }
    }

    @Test
    void patchGridOfChecksTheImage() {
        PatchGrid g = PatchGrid.of(32, 48, 16);
        assertEquals(new PatchGrid(2, 3, 16), g);
        assertEquals(6, g.size());
        assertEquals(32, g.height());
        assertEquals(48, g.width());
        assertEquals("2x3", g.shape());
        assertEquals("image 8x32 is smaller than one 16x16 patch",
                assertThrows(IllegalArgumentException.class, () -> PatchGrid.of(8, 32, 16)).getMessage());
        assertEquals("patch size must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> PatchGrid.of(32, 32, 0)).getMessage());
        assertEquals("patch grid needs positive rows, cols and patch size, got 0x2 of 16",
                assertThrows(IllegalArgumentException.class, () -> new PatchGrid(0, 2, 16)).getMessage());
    }
}
