package org.vit4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.vit4j.interop.Source;
import org.vit4j.model.DeviceSetting;
import org.vit4j.model.Pooling;
import org.vit4j.model.Variant;
import org.vit4j.position.PositionEmbeddingKind;

/** Option and config names: trimmed, any case, {@code _} for {@code -}, aliases, and one error form. */
class NamesTest {

    @Test
    void namesAreReadLeniently() {
        assertEquals(Variant.FASHION_SMALL, Variant.fromName(" Fashion_Small "));
        assertEquals(PositionEmbeddingKind.SINCOS2D_MAE, PositionEmbeddingKind.fromName("SINCOS2D_MAE"));
        assertEquals(DeviceSetting.AUTO, DeviceSetting.fromName("Auto"));
    }

    @Test
    void aliasesAreAccepted() {
        assertEquals(Pooling.CLS, Pooling.fromName("token"));
        assertEquals(Source.HF, Source.fromName("HuggingFace"));
        assertEquals(Source.HF, Source.fromName("hugging-face"));
    }

    @Test
    void unknownNamesListTheValidOnes() {
        assertEquals("unknown device 'tpu'; valid: cpu, gpu, auto",
                assertThrows(IllegalArgumentException.class, () -> DeviceSetting.fromName("tpu")).getMessage());
        assertEquals("unknown pooling 'max'; valid: cls, avg",
                assertThrows(IllegalArgumentException.class, () -> Pooling.fromName("max")).getMessage());
        assertEquals("unknown variant 'null'; valid: " + String.join(", ", java.util.Arrays.stream(Variant.values())
                        .map(Variant::cliName).toList()),
                assertThrows(IllegalArgumentException.class, () -> Variant.fromName(null)).getMessage());
    }
}
