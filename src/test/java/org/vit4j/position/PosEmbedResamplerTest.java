package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.vit4j.image.Interpolation;
import org.vit4j.image.Resizer;
import org.vit4j.position.PosEmbedResampler.Mode;

/**
 * Bicubic resampling against torch.nn.functional.interpolate (make_golden_resample.py, torch
 * 1.13): antialias=True for timm, antialias=False for Hugging Face.
 */
class PosEmbedResamplerTest {

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @CsvSource({"4, 4, 6, 6", "7, 7, 14, 14", "7, 7, 3, 5", "14, 14, 7, 7", "4, 4, 4, 6"})
    void matchesTorchInterpolate(int rows, int cols, int newRows, int newCols) throws IOException {
        String tag = rows + "x" + cols + "_to_" + newRows + "x" + newCols;
        float[][] in = Golden.load("resample_in_" + tag + ".npy");
        Golden.assertClose(Golden.load("resample_timm_" + tag + ".npy"),
                PosEmbedResampler.resample(in, rows, cols, newRows, newCols, Mode.TIMM),
                1e-5, "timm (antialias=True) " + tag);
        Golden.assertClose(Golden.load("resample_hf_" + tag + ".npy"),
                PosEmbedResampler.resample(in, rows, cols, newRows, newCols, Mode.HF),
                1e-5, "hf (antialias=False) " + tag);
    }

    @Test
    void timmAndHfKernelsDifferEvenWhenEnlarging() throws IOException {
        // Keys a = -0.5 (antialiased path) versus A = -0.75 (plain path): on 4x4 -> 6x6 the torch
        // outputs differ by up to 0.27, so the golden test above cannot pass with one kernel for both.
        float[][] in = Golden.load("resample_in_4x4_to_6x6.npy");
        float[][] timm = PosEmbedResampler.resample(in, 4, 4, 6, 6, Mode.TIMM);
        float[][] hf = PosEmbedResampler.resample(in, 4, 4, 6, 6, Mode.HF);
        double worst = 0;
        for (int p = 0; p < timm.length; p++) {
            for (int d = 0; d < timm[p].length; d++) {
                worst = Math.max(worst, Math.abs(timm[p][d] - hf[p][d]));
            }
        }
        assertTrue(worst > 0.2, "max |timm - hf| = " + worst);
    }

    @Test
    void hfWeightsByHand() {
        // 2 -> 4, scale 0.5: output 0 samples s = 0.5*0.5 - 0.5 = -0.25, floor -1, t = 0.75.
        // Taps -2, -1, 0, 1 clamp to 0, 0, 0, 1 with A = -0.75 coefficients
        // [cc2(1.75), cc1(0.75), cc1(0.25), cc2(1.25)] = [-0.03515625, 0.26171875, 0.87890625, -0.10546875].
        double[][] w = PosEmbedResampler.weights(2, 4, Mode.HF);
        assertArrayEquals(new double[] {-0.03515625 + 0.26171875 + 0.87890625, -0.10546875}, w[0], 1e-15);
    }

    @Test
    void timmWeightsShrinkByTwoByHand() {
        // 4 -> 2, scale 2: output 0 has center 1, support 4, taps 0..3 at distances
        // (j - 1 + 0.5)/2 = -0.25, 0.25, 0.75, 1.25; Keys a = -0.5 weights, normalised.
        double[] raw = {Interpolation.keys(-0.25, -0.5), Interpolation.keys(0.25, -0.5),
            Interpolation.keys(0.75, -0.5), Interpolation.keys(1.25, -0.5)};
        assertArrayEquals(new double[] {0.8671875, 0.8671875, 0.2265625, -0.0703125}, raw, 1e-15);
        double sum = raw[0] + raw[1] + raw[2] + raw[3];
        double[][] w = PosEmbedResampler.weights(4, 2, Mode.TIMM);
        assertArrayEquals(new double[] {raw[0] / sum, raw[1] / sum, raw[2] / sum, raw[3] / sum}, w[0], 1e-15);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void weightRowsSumToOneAndSameSizeIsIdentity(Mode mode) {
        for (int[] io : new int[][] {{4, 6}, {7, 3}, {14, 7}, {1, 5}, {5, 1}}) {
            for (double[] row : PosEmbedResampler.weights(io[0], io[1], mode)) {
                double sum = 0;
                for (double v : row) {
                    sum += v;
                }
                assertEquals(1.0, sum, 1e-12, mode + " " + io[0] + "->" + io[1]);
            }
        }
        double[][] id = PosEmbedResampler.weights(5, 5, mode);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(i == j ? 1.0 : 0.0, id[i][j], 1e-15, mode + " identity");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void sameSizeReturnsACopy(Mode mode) {
        float[][] t = {{1, 2}, {3, 4}, {5, 6}};
        float[][] r = PosEmbedResampler.resample(t, 1, 3, 1, 3, mode);
        assertArrayEquals(t, r);
        assertNotSame(t[0], r[0]);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void constantTableStaysConstant(Mode mode) {
        float[][] t = new float[12][3];
        for (float[] row : t) {
            Arrays.fill(row, 0.25f);
        }
        for (float[] row : PosEmbedResampler.resample(t, 3, 4, 5, 2, mode)) {
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, row, 1e-7f);
        }
    }

    @Test
    void tableSizeMismatchIsRefused() {
        float[][] withCls = new float[50][8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PosEmbedResampler.resample(withCls, 7, 7, 14, 14, Mode.TIMM));
        assertEquals("pos-embed table has 50 rows but a 7x7 grid needs 49; remove the 1 prefix "
                + "token(s) first", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PosEmbedResampler.resample(new float[15][8], 4, 4, 6, 6, Mode.HF));
        assertEquals("pos-embed table has 15 rows but a 4x4 grid needs 16", e.getMessage());
    }

    @Test
    void raggedAndEmptyGridsAreRefused() {
        float[][] ragged = {{1, 2}, {3}, {5, 6}, {7, 8}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PosEmbedResampler.resample(ragged, 2, 2, 3, 3, Mode.HF));
        assertEquals("pos-embed table row 1 has width 1 but row 0 has 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PosEmbedResampler.resample(new float[4][2], 2, 2, 0, 3, Mode.TIMM));
        assertEquals("pos-embed resample grids must be at least 1x1, got 2x2 -> 0x3 (rows x cols)",
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"7, 5, 14, 3", "14, 14, 7, 9", "3, 8, 16, 2"})
    void timmModeIsPilBicubic(int rows, int cols, int newRows, int newCols) {
        // PyTorch's antialiased bicubic and PIL's bicubic share one kernel: a one-channel table
        // resampled here equals the same grid resized as a picture (up to PIL's float temp image).
        float[][] table = new float[rows * cols][1];
        float[] picture = new float[rows * cols];
        for (int p = 0; p < rows * cols; p++) {
            table[p][0] = picture[p] = (float) Math.sin(0.37 * p * p + p);
        }
        float[][] resampled = PosEmbedResampler.resample(table, rows, cols, newRows, newCols, Mode.TIMM);
        float[] resized = Resizer.resize(picture, 1, rows, cols, newRows, newCols, Interpolation.BICUBIC);
        for (int p = 0; p < resized.length; p++) {
            assertEquals(resized[p], resampled[p][0], 1e-6, "token " + p);
        }
    }
}
