package org.vit4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.image.Interpolation;
import org.vit4j.image.SizingPolicy;
import org.vit4j.infer.TokenKind;
import org.vit4j.interop.Source;
import org.vit4j.model.DeviceSetting;
import org.vit4j.model.Pooling;
import org.vit4j.model.Variant;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

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

    /** The names saved configs and scripts already use: changing one would break them. */
    @Test
    void namesAreTheOnesConfigsAndOptionsWrite() {
        assertEquals("resize-crop", SizingPolicy.RESIZE_CROP.cliName());
        assertEquals("sincos2d-bigvision", PositionEmbeddingKind.SINCOS2D_BIGVISION.cliName());
        assertEquals("rope-dinov3", PositionEmbeddingKind.ROPE_DINOV3.cliName());
        assertEquals("fashion-small", Variant.FASHION_SMALL.cliName());
        assertEquals("torchvision", Source.TORCHVISION.cliName());
        assertEquals("bicubic", Interpolation.BICUBIC.cliName());
        assertEquals("interleaved", SinCosLayout.INTERLEAVED.cliName());
        assertEquals("half", RopeLayout.HALF.cliName());
        assertEquals("xy", RopeIndexing.XY.cliName());
        assertEquals("bf16", Precision.BF16.cliName());
        assertEquals("compiled", ForwardEngine.COMPILED.cliName());
        assertEquals("embedded", TokenKind.EMBEDDED.cliName());
        assertEquals("sincos2d-mae", PositionEmbeddingKind.SINCOS2D_MAE.toString());
    }

    /** Every constant of every named enum reads back from its own name, in any case. */
    @Test
    void everyNameReadsBackAsItsConstant() {
        roundTrip(Source.values(), Source::fromName);
        roundTrip(Pooling.values(), Pooling::fromName);
        roundTrip(Variant.values(), Variant::fromName);
        roundTrip(Interpolation.values(), Interpolation::fromName);
        roundTrip(SizingPolicy.values(), SizingPolicy::fromName);
        roundTrip(PositionEmbeddingKind.values(), PositionEmbeddingKind::fromName);
        roundTrip(SinCosLayout.values(), SinCosLayout::fromName);
        roundTrip(RopeIndexing.values(), RopeIndexing::fromName);
        roundTrip(RopeLayout.values(), RopeLayout::fromName);
        roundTrip(ForwardEngine.values(), ForwardEngine::fromName);
        roundTrip(Precision.values(), Precision::fromName);
        roundTrip(DeviceSetting.values(), DeviceSetting::fromName);
        roundTrip(TokenKind.values(), TokenKind::fromName);
    }

    private static <E extends Enum<E> & Named> void roundTrip(E[] values, Function<String, E> fromName) {
        for (E e : values) {
            assertEquals(e, fromName.apply(e.cliName()), e.cliName());
            assertEquals(e, fromName.apply(e.cliName().toUpperCase(java.util.Locale.ROOT)), e.cliName());
        }
        assertEquals(values.length, List.of(values).stream().map(Named::cliName).distinct().count(), "distinct names");
    }
}
