package org.vit4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Normalization}, {@link SizingPolicy} and {@link Interpolation} names. */
class NormalizationAndNamesTest {

    @Test
    void inverseUndoesTheNormalization() {
        float[] pixels = {0f, 0.25f, 0.5f, 1f, 0.1f, 0.9f};
        float[] x = pixels.clone();
        Normalization.of(new float[] {0.5f, 0.2f}, new float[] {0.25f, 0.5f}).applyInPlace(x, 3);
        assertArrayEquals(new float[] {-2f, -1f, 0f, 1.6f, -0.2f, 1.4f}, x, 1e-6f);
        assertArrayEquals(pixels, Normalization.of(new float[] {0.5f, 0.2f}, new float[] {0.25f, 0.5f}).inverse(x, 3), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Normalization.IMAGENET.inverse(new float[5], 2));
    }

    @Test
    void publishedStatistics() {
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, Normalization.IMAGENET.mean());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, Normalization.IMAGENET.std());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, Normalization.INCEPTION.mean());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, Normalization.INCEPTION.std());
        assertArrayEquals(new float[] {0f}, Normalization.identity(1).mean());
        assertArrayEquals(new float[] {1f}, Normalization.identity(1).std());
        assertTrue(Normalization.identity(3).isIdentity());
        assertFalse(Normalization.IMAGENET.isIdentity());
    }

    @Test
    void inceptionMapsUnitRangeToPlusMinusOne() {
        float[] chw = {0f, 1f, 0.5f, 0.25f, 1f, 0f}; // (3, 1, 2)

        Normalization.INCEPTION.applyInPlace(chw, 2);

        assertArrayEquals(new float[] {-1f, 1f, 0f, -0.5f, 1f, -1f}, chw, 0f);
    }

    @Test
    void arraysAreCopied() {
        float[] mean = {0.1f};
        Normalization n = Normalization.of(mean, new float[] {2f});

        mean[0] = 9f;
        n.mean()[0] = 9f;

        assertArrayEquals(new float[] {0.1f}, n.mean(), "neither the argument nor the result aliases the state");
        assertEquals(Normalization.of(new float[] {0.1f}, new float[] {2f}), n);
    }

    @Test
    void ofValidatesNamingTheValue() {
        IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
                () -> Normalization.of(new float[] {0f, 0f}, new float[] {1f}));
        IllegalArgumentException std = assertThrows(IllegalArgumentException.class,
                () -> Normalization.of(new float[] {0f, 0f}, new float[] {1f, 0f}));
        IllegalArgumentException mean = assertThrows(IllegalArgumentException.class,
                () -> Normalization.of(new float[] {Float.NaN}, new float[] {1f}));
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> Normalization.identity(0));

        assertEquals("mean has 2 values and std has 1; they need the same, non-zero length (one per channel)",
                lengths.getMessage());
        assertEquals("std[1] = 0.0 must be finite and > 0", std.getMessage());
        assertEquals("mean[0] = NaN is not finite", mean.getMessage());
        assertEquals("channels must be >= 1, got 0", channels.getMessage());
    }

    @Test
    void policyNamesRoundTrip() {
        assertEquals("resize-crop", SizingPolicy.RESIZE_CROP.cliName());
        assertEquals("resize", SizingPolicy.RESIZE.cliName());
        assertEquals("pad", SizingPolicy.PAD.cliName());
        assertEquals("strict", SizingPolicy.STRICT.cliName());
        for (SizingPolicy p : SizingPolicy.values()) {
            assertEquals(p, SizingPolicy.fromName(p.cliName()), p.cliName());
            assertEquals(p, SizingPolicy.fromName(p.name()), p.name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SizingPolicy.fromName("crop"));
        assertEquals("unknown sizing policy 'crop'; valid: resize-crop, resize, pad, strict", e.getMessage());
    }

    @Test
    void interpolationNamesRoundTrip() {
        assertEquals("bilinear", Interpolation.BILINEAR.cliName());
        assertEquals("bicubic", Interpolation.BICUBIC.cliName());
        assertEquals(Interpolation.BICUBIC, Interpolation.fromName("BICUBIC"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interpolation.fromName("nearest"));
        assertEquals("unknown interpolation 'nearest'; valid: bilinear, bicubic", e.getMessage());
    }

    @Test
    void bicubicKernelIsKeysWithAMinusHalf() {
        // Worked values of the a = -0.5 cubic: k(0) = 1, k(0.5) = 0.5625, k(1) = 0, k(1.5) = -0.0625, k(2) = 0.
        assertEquals(1.0, Interpolation.BICUBIC.kernel(0), 1e-12);
        assertEquals(0.5625, Interpolation.BICUBIC.kernel(0.5), 1e-12);
        assertEquals(0.0, Interpolation.BICUBIC.kernel(1), 1e-12);
        assertEquals(-0.0625, Interpolation.BICUBIC.kernel(-1.5), 1e-12);
        assertEquals(0.0, Interpolation.BICUBIC.kernel(2), 1e-12);
        assertEquals(0.25, Interpolation.BILINEAR.kernel(-0.75), 1e-12);
    }
}
