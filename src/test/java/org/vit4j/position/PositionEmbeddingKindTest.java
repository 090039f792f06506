package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PositionEmbeddingKindTest {

    @Test
    void cliNamesAreTheDocumentedOnes() {
        assertEquals("none", PositionEmbeddingKind.NONE.cliName());
        assertEquals("learned", PositionEmbeddingKind.LEARNED.cliName());
        assertEquals("sincos1d", PositionEmbeddingKind.SINCOS1D.cliName());
        assertEquals("sincos2d-mae", PositionEmbeddingKind.SINCOS2D_MAE.cliName());
        assertEquals("sincos2d-bigvision", PositionEmbeddingKind.SINCOS2D_BIGVISION.cliName());
        assertEquals("split", SinCosLayout.SPLIT.cliName());
        assertEquals("interleaved", SinCosLayout.INTERLEAVED.cliName());
    }

    @ParameterizedTest
    @EnumSource(PositionEmbeddingKind.class)
    void fromNameInvertsCliNameAndAcceptsConstantName(PositionEmbeddingKind k) {
        assertEquals(k, PositionEmbeddingKind.fromName(k.cliName()));
        assertEquals(k, PositionEmbeddingKind.fromName(k.name()));
        assertEquals(k, PositionEmbeddingKind.fromName(" " + k.cliName().toUpperCase() + " "));
    }

    @Test
    void onlyTheThreeSinCosKindsAreSinCos() {
        assertFalse(PositionEmbeddingKind.NONE.isSinCos());
        assertFalse(PositionEmbeddingKind.LEARNED.isSinCos());
        assertTrue(PositionEmbeddingKind.SINCOS1D.isSinCos());
        assertTrue(PositionEmbeddingKind.SINCOS2D_MAE.isSinCos());
        assertTrue(PositionEmbeddingKind.SINCOS2D_BIGVISION.isSinCos());
    }

    @Test
    void unknownKindListsValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PositionEmbeddingKind.fromName("sincos3d"));
        assertEquals("unknown position embedding 'sincos3d'; valid: none, learned, sincos1d, "
                + "sincos2d-mae, sincos2d-bigvision, rope-axial, rope-mixed, rope-dinov3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PositionEmbeddingKind.fromName(null));
    }

    @Test
    void layoutFromName() {
        assertEquals(SinCosLayout.SPLIT, SinCosLayout.fromName("split"));
        assertEquals(SinCosLayout.INTERLEAVED, SinCosLayout.fromName("Interleaved"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinCosLayout.fromName("zigzag"));
        assertEquals("unknown sin-cos layout 'zigzag'; valid: split, interleaved", e.getMessage());
    }
}
