package org.vit4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.vit4j.io.Npy;

/** {@link Resizer} against PIL's own float-mode resize (golden arrays from make_fixtures.py). */
class ResizerTest {

    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} 13x17 -> {1}x{2}")
    @CsvSource({
        "BILINEAR, 7, 5", "BILINEAR, 13, 17", "BILINEAR, 26, 34", "BILINEAR, 5, 40", "BILINEAR, 31, 9", "BILINEAR, 1, 1",
        "BICUBIC, 7, 5", "BICUBIC, 13, 17", "BICUBIC, 26, 34", "BICUBIC, 5, 40", "BICUBIC, 31, 9", "BICUBIC, 1, 1",
    })
    void matchesPilFloatResize(Interpolation interpolation, int outH, int outW) throws IOException {
        Npy.Array input = resource("resize_input_13x17.npy");
        assertArrayEquals(new long[] {13, 17}, input.shape());
        Npy.Array expected = resource(String.format(Locale.ROOT, "resize_%s_%dx%d.npy",
                interpolation.cliName(), outH, outW));
        assertArrayEquals(new long[] {outH, outW}, expected.shape());

        float[] actual = Resizer.resize(input.data(), 1, 13, 17, outH, outW, interpolation);

        assertEquals(outH * outW, actual.length);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.data()[i], actual[i], TOLERANCE,
                    "pixel (" + i / outW + ", " + i % outW + ") of " + interpolation + " " + outH + "x" + outW);
        }
    }

    @Test
    void resizesEveryChannelIndependently() throws IOException {
        float[] plane = resource("resize_input_13x17.npy").data();
        float[] chw = new float[3 * plane.length]; // (3, 13, 17): plane, 2 * plane, constant 0.25
        for (int i = 0; i < plane.length; i++) {
            chw[i] = plane[i];
            chw[plane.length + i] = 2 * plane[i];
            chw[2 * plane.length + i] = 0.25f;
        }
        float[] expected = resource("resize_bicubic_26x34.npy").data();

        float[] out = Resizer.resize(chw, 3, 13, 17, 26, 34, Interpolation.BICUBIC);

        int n = 26 * 34;
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], out[i], TOLERANCE, "channel 0 pixel " + i);
            assertEquals(2 * expected[i], out[n + i], 2 * TOLERANCE, "channel 1 pixel " + i);
            // Weights sum to 1, so a constant stays constant (bicubic overshoot cannot appear).
            assertEquals(0.25f, out[2 * n + i], 1e-6, "channel 2 pixel " + i);
        }
    }

    @Test
    void windowEqualsResizeThenCrop() {
        float[] src = new float[2 * 9 * 11];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) Math.sin(i * 0.37);
        }
        float[] full = Resizer.resize(src, 2, 9, 11, 20, 15, Interpolation.BICUBIC);

        float[] window = Resizer.resizeWindow(src, 2, 9, 11, 20, 15, 3, 4, 12, 8, Interpolation.BICUBIC);

        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 8; x++) {
                    assertEquals(full[(c * 20 + y + 3) * 15 + x + 4], window[(c * 12 + y) * 8 + x], 0f,
                            "(" + c + ", " + y + ", " + x + ")");
                }
            }
        }
    }

    @Test
    void sameSizeIsACopy() {
        float[] src = {0.1f, 0.2f, 0.3f, 0.4f};

        float[] out = Resizer.resize(src, 1, 2, 2, 2, 2, Interpolation.BICUBIC);

        assertArrayEquals(src, out);
        out[0] = 9f;
        assertEquals(0.1f, src[0], "the input must not be aliased");
    }

    @Test
    void halvingBilinearIsTheWidenedTriangleWorkedByHand() {
        // Scale 2: support 1 * 2 = 2. Output 0 has centre 1.0, window [(int)(1-2+0.5), (int)(1+2+0.5)) = [0, 3),
        // weights tri((x + 0.5 - 1) / 2) = 0.75, 0.75, 0.25 -> (0*0.75 + 1*0.75 + 2*0.25) / 1.75 = 5/7.
        // Output 1 has centre 3.0, window [1, 4), weights 0.25, 0.75, 0.75 -> (0.25 + 1.5 + 2.25) / 1.75 = 16/7.
        float[] out = Resizer.resize(new float[] {0f, 1f, 2f, 3f}, 1, 1, 4, 1, 2, Interpolation.BILINEAR);

        assertArrayEquals(new float[] {5f / 7f, 16f / 7f}, out, 1e-6f);
    }

    @Test
    void rejectsBadShapes() {
        IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class,
                () -> Resizer.resize(new float[5], 1, 2, 3, 4, 4, Interpolation.BILINEAR));
        assertEquals("chw has 5 values, expected C*H*W = 1*2*3 = 6", wrongLength.getMessage());

        IllegalArgumentException zeroOut = assertThrows(IllegalArgumentException.class,
                () -> Resizer.resize(new float[6], 1, 2, 3, 0, 4, Interpolation.BILINEAR));
        assertEquals("output size 0x4 must be positive", zeroOut.getMessage());

        IllegalArgumentException zeroIn = assertThrows(IllegalArgumentException.class,
                () -> Resizer.resize(new float[0], 1, 0, 3, 4, 4, Interpolation.BILINEAR));
        assertTrue(zeroIn.getMessage().contains("H=0"), zeroIn.getMessage());
    }

    @Test
    void npyReaderReadsFloat64() throws IOException {
        Npy.Array f4 = resource("resize_input_13x17.npy");
        Npy.Array f8 = resource("resize_input_13x17_f8.npy");

        assertArrayEquals(f4.shape(), f8.shape());
        assertArrayEquals(f4.data(), f8.data(), 0f);
    }

    /** A golden array under {@code /images/}, made by make_fixtures.py. */
    private static Npy.Array resource(String name) throws IOException {
        try (InputStream in = ResizerTest.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /images/" + name);
            }
            return Npy.read(in, "/images/" + name);
        }
    }
}
