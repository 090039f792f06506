package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vit4j.io.Npy;

/** {@link PositionTable}: each kind's table against the golden files of the reference implementations. */
class PositionTableTest {

    private static float[] timm(String name) throws IOException {
        try {
            return Npy.read(Path.of(PositionTableTest.class.getResource("/interop/timm/" + name).toURI())).data();
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name, e);
        }
    }

    @Test
    void sinCosKindsAreTheReferenceTables() throws IOException {
        PositionTable mae = PositionTable.of(PositionEmbeddingKind.SINCOS2D_MAE, 3, 5, 16, SinCosLayout.SPLIT);
        Golden.assertClose(Golden.load("sincos2d_mae_r3_c5_d16.npy"), mae.values(), 1e-6, "mae");
        assertEquals(3, mae.rows());
        assertEquals(5, mae.cols());
        assertEquals(16, mae.dim());
        Golden.assertClose(Golden.load("sincos2d_bigvision_r7_c7_d64.npy"),
                PositionTable.of(PositionEmbeddingKind.SINCOS2D_BIGVISION, 7, 7, 64, SinCosLayout.SPLIT).values(),
                1e-6, "big_vision");
        Golden.assertClose(Golden.load("sincos1d_n5_d16.npy"),
                PositionTable.of(PositionEmbeddingKind.SINCOS1D, 1, 5, 16, SinCosLayout.SPLIT).values(), 1e-6, "1d");
        float[][] none = PositionTable.of(PositionEmbeddingKind.NONE, 2, 3, 4, SinCosLayout.SPLIT).values();
        assertArrayEquals(new float[4], none[5]);
        assertEquals(6, none.length);
    }

    @Test
    void rotaryKindsAreTimmsTablesWithTheirDefaults() throws IOException {
        // timm RotaryEmbeddingCat (theta 100, xy) and RotaryEmbeddingDinoV3 on a 3x5 grid, head width 16
        PositionTable axial = PositionTable.of(PositionEmbeddingKind.ROPE_AXIAL, 3, 5, 16, SinCosLayout.SPLIT);
        assertArrayEquals(timm("rope_axial_embed_3x5.npy"), axial.flat(), 2e-6f);
        assertEquals(", theta 100.0, interleaved pairs, frequencies [1.00, 0.316, 0.100, 0.0316] per axis", axial.note()); // 100^(-k/4)
        PositionTable dinov3 = PositionTable.of(PositionEmbeddingKind.ROPE_DINOV3, 3, 5, 16, SinCosLayout.SPLIT);
        assertArrayEquals(timm("rope_dinov3_embed_3x5.npy"), dinov3.flat(), 2e-6f);
    }

    @Test
    void learnedTablesDropTheClassTokensRowAndAreRefusedWithoutAModel() {
        float[] table = {9, 9, 1, 2, 3, 4}; // class token row, then a 1x2 grid of D=2
        PositionTable t = PositionTable.learned(table, 1, 1, 2, 2);
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.flat());
        assertEquals("1.0000000,2.0000000\n3.0000000,4.0000000\n", t.toCsv());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PositionTable.of(PositionEmbeddingKind.LEARNED, 2, 2, 4, SinCosLayout.SPLIT));
        assertEquals("learned tables come from a model", e.getMessage());
    }

    @Test
    void tooLargeOrEmptyTablesAreRefusedBeforeTheyAreBuilt() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> PositionTable.of(PositionEmbeddingKind.SINCOS2D_MAE, 100000, 100000, 96, SinCosLayout.SPLIT));
        assertEquals("with dim 96 the table has 960000000000 values, more than the 268435456 written at most",
                big.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> PositionTable.of(PositionEmbeddingKind.SINCOS1D, 0, 3, 8, SinCosLayout.SPLIT));
        assertEquals("grid 0x3 and dim 8 must be positive", empty.getMessage());
    }
}
