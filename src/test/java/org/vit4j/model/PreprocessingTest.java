package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vit4j.image.Interpolation;
import org.vit4j.image.SizingPolicy;

/** The {@link Preprocessing} presets as the reference code states them, and the variants that use them. */
class PreprocessingTest {

    @Test
    void timmPresetIsVisionTransformerCfg() {
        ViTConfig c = Variant.MICRO.toBuilder().optChannels(3).optPreprocessing(Preprocessing.TIMM).build();
        Preprocessing p = c.preprocessing();

        assertEquals(SizingPolicy.RESIZE_CROP, p.sizing());
        assertEquals(Interpolation.BICUBIC, p.interpolation());
        assertEquals(0.9, p.cropPct());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, p.meanArray());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, p.stdArray());
    }

    @Test
    void torchvisionPresetIsImagenet1kV1Transforms() {
        ViTConfig c = Variant.MICRO.toBuilder().optChannels(3).optPreprocessing(Preprocessing.TORCHVISION).build();
        Preprocessing p = c.preprocessing();

        assertEquals(SizingPolicy.RESIZE_CROP, p.sizing());
        assertEquals(Interpolation.BILINEAR, p.interpolation());
        assertEquals(224.0 / 256.0, p.cropPct());
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, p.meanArray());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, p.stdArray());
    }

    @Test
    void imagenetVariantsGetTimmsPreprocessingAndGreyOnesTheExactResize() {
        for (Variant v : new Variant[] {Variant.TINY, Variant.SMALL, Variant.BASE}) {
            ViTConfig c = v.toBuilder().build();
            assertEquals(v.toBuilder().optPreprocessing(Preprocessing.TIMM).build().toJson(), c.toJson(), v.cliName());
            assertEquals(0.9, c.preprocessing().cropPct(), v.cliName());
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, c.preprocessing().meanArray(), v.cliName());
        }
        ViTConfig grey = Variant.FASHION.toBuilder().build();
        assertEquals(SizingPolicy.RESIZE, grey.preprocessing().sizing());
        assertEquals(Interpolation.BILINEAR, grey.preprocessing().interpolation());
        assertArrayEquals(new float[] {0.5f}, grey.preprocessing().meanArray());
        assertArrayEquals(new float[] {0.5f}, grey.preprocessing().stdArray());
        assertEquals(ViTConfig.builder().setImageSize(16, 16).setPatchSize(16).setWidth(8).setDepth(1)
                .setHeads(1).setNumClasses(2).build().preprocessing().cropPct(), grey.preprocessing().cropPct(),
                "GREY leaves the crop ratio at the config's default");
    }
}
