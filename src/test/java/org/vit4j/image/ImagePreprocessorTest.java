package org.vit4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Sizing policies, normalization and validation of {@link ImagePreprocessor}. */
class ImagePreprocessorTest {

    private static ImagePreprocessor.Builder base(int height, int width, int patch) {
        return ImagePreprocessor.builder().setImageSize(height, width).setPatchSize(patch);
    }

    /** Planar pixels with a distinct value everywhere: {@code (c * 1000 + y * w + x) / (C * 1000 + h * w)}. */
    private static float[] ramp(int c, int h, int w) {
        float[] a = new float[c * h * w];
        for (int i = 0; i < a.length; i++) {
            int ch = i / (h * w);
            a[i] = (ch * 1000 + i % (h * w)) / (float) (c * 1000 + h * w);
        }
        return a;
    }

    /** Rows {@code top..top+ch-1}, columns {@code left..left+cw-1} of every channel. */
    private static float[] crop(float[] chw, int c, int h, int w, int top, int left, int ch, int cw) {
        float[] out = new float[c * ch * cw];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < ch; y++) {
                System.arraycopy(chw, (k * h + top + y) * w + left, out, (k * ch + y) * cw, cw);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- RESIZE_CROP

    @Test
    void resizeCropScalesTheShorterSideToSizeOverCropPctThenCentreCrops() throws IOException {
        // 300x400 (HxW), 224 at crop 0.875: shorter side -> floor(224 / 0.875) = 256, longer -> int(256*400/300) = 341;
        // top = round((256 - 224) / 2) = 16, left = round((341 - 224) / 2) = round(58.5) = 58 (half to even).
        float[] image = ramp(3, 300, 400);
        ImagePreprocessor p = base(224, 224, 16).build();

        PreprocessedImage out = p.apply(image, 3, 300, 400);

        float[] resized = Resizer.resize(image, 3, 300, 400, 256, 341, Interpolation.BICUBIC);
        assertEquals(224, out.height(), "height");
        assertEquals(224, out.width(), "width");
        assertArrayEquals(crop(resized, 3, 256, 341, 16, 58, 224, 224), out.data(), 0f);
    }

    @Test
    void resizeCropOfAnImageAlreadyAtTheScaledSizeIsAPureCrop() throws IOException {
        float[] image = ramp(1, 256, 256);
        ImagePreprocessor p = base(224, 224, 16).optChannels(1).build();

        PreprocessedImage out = p.apply(image, 1, 256, 256);

        assertArrayEquals(crop(image, 1, 256, 256, 16, 16, 224, 224), out.data(), 0f);
    }

    @Test
    void resizeCropOfANonSquareTargetKeepsTheAspectAndCovers() throws IOException {
        // Target 32x64 at crop 1.0; a 40x40 image must cover 32x64, so it becomes 64x64, then rows 16..47.
        float[] image = ramp(1, 40, 40);
        ImagePreprocessor p = base(32, 64, 16).optChannels(1).optCropPct(1.0)
                .optInterpolation(Interpolation.BILINEAR).build();

        PreprocessedImage out = p.apply(image, 1, 40, 40);

        float[] resized = Resizer.resize(image, 1, 40, 40, 64, 64, Interpolation.BILINEAR);
        assertEquals(32, out.height(), "height");
        assertEquals(64, out.width(), "width");
        assertArrayEquals(crop(resized, 1, 64, 64, 16, 0, 32, 64), out.data(), 0f);
    }

    // ---------------------------------------------------------------- RESIZE

    @Test
    void resizeGoesToExactlyTheTargetAndNormalizes() throws IOException {
        float[] image = ramp(3, 20, 30);
        ImagePreprocessor p = base(32, 48, 16).optPolicy(SizingPolicy.RESIZE)
                .optNormalization(Normalization.IMAGENET).build();

        PreprocessedImage out = p.apply(image, 3, 20, 30);

        float[] resized = Resizer.resize(image, 3, 20, 30, 32, 48, Interpolation.BICUBIC);
        assertEquals(3, out.channels());
        assertEquals(32, out.height());
        assertEquals(48, out.width());
        assertEquals((resized[0] - 0.485f) / 0.229f, out.get(0, 0, 0), 0f, "channel 0");
        assertEquals((resized[32 * 48 + 5] - 0.456f) / 0.224f, out.get(1, 0, 5), 0f, "channel 1");
        assertEquals((resized[2 * 32 * 48 + 47] - 0.406f) / 0.225f, out.get(2, 0, 47), 0f, "channel 2");
    }

    // ---------------------------------------------------------------- PAD and STRICT

    @Test
    void padKeepsPixelsAndPadsTheNormalizedArrayWithZeros() throws IOException {
        // 17x20 with patch 16 -> 32x32. Pixel 0.5 normalizes to (0.5 - mean) / std; padding stays 0.
        float[] image = new float[3 * 17 * 20];
        Arrays.fill(image, 0.5f);
        ImagePreprocessor p = base(224, 224, 16).optPolicy(SizingPolicy.PAD)
                .optNormalization(Normalization.IMAGENET).build();

        PreprocessedImage out = p.apply(image, 3, 17, 20);

        assertEquals(32, out.height(), "height rounded up to 2 patches");
        assertEquals(32, out.width(), "width rounded up to 2 patches");
        assertEquals((0.5f - 0.485f) / 0.229f, out.get(0, 16, 19), 0f, "last real pixel, channel 0");
        assertEquals((0.5f - 0.406f) / 0.225f, out.get(2, 0, 0), 0f, "first real pixel, channel 2");
        assertEquals(0f, out.get(0, 16, 20), 0f, "right of the image");
        assertEquals(0f, out.get(1, 17, 0), 0f, "below the image");
        assertEquals(0f, out.get(2, 31, 31), 0f, "bottom-right corner");
        assertArrayEquals(new int[] {32, 32}, p.outputSize(17, 20));
    }

    @Test
    void strictPassesMultiplesOfThePatchUnchanged() throws IOException {
        float[] image = ramp(1, 32, 48);
        ImagePreprocessor p = base(16, 16, 16).optChannels(1).optPolicy(SizingPolicy.STRICT).build();

        PreprocessedImage out = p.apply(image, 1, 32, 48);

        assertEquals(32, out.height());
        assertEquals(48, out.width());
        assertArrayEquals(image, out.data(), 0f);
    }

    @Test
    void strictRefusesSidesThatAreNotMultiplesOfThePatch() {
        ImagePreprocessor p = base(224, 224, 16).optPolicy(SizingPolicy.STRICT).build();

        ImageLoadException height = assertThrows(ImageLoadException.class,
                () -> p.apply(new float[3 * 225 * 224], 3, 225, 224, "cat.jpg"));
        ImageLoadException width = assertThrows(ImageLoadException.class,
                () -> p.apply(new float[3 * 224 * 230], 3, 224, 230));

        assertEquals("cat.jpg: image height 225 is not a multiple of patch size 16 (policy: strict)",
                height.getMessage());
        assertEquals("image width 230 is not a multiple of patch size 16 (policy: strict)", width.getReason());
    }

    @Test
    void padAndStrictRefuseImagesSmallerThanOnePatch() {
        ImagePreprocessor pad = base(224, 224, 16).optPolicy(SizingPolicy.PAD).build();
        ImagePreprocessor strict = base(224, 224, 16).optPolicy(SizingPolicy.STRICT).build();

        ImageLoadException padError = assertThrows(ImageLoadException.class,
                () -> pad.apply(new float[3 * 10 * 20], 3, 10, 20));
        ImageLoadException strictError = assertThrows(ImageLoadException.class,
                () -> strict.apply(new BufferedImage(32, 8, BufferedImage.TYPE_INT_RGB), "thin.png"));

        assertEquals("image 10x20 (HxW) is smaller than one 16x16 patch (policy: pad)", padError.getReason());
        assertEquals("thin.png: image 8x32 (HxW) is smaller than one 16x16 patch (policy: strict)",
                strictError.getMessage());
    }

    // ---------------------------------------------------------------- from BufferedImage

    @Test
    void bufferedImagePixelsAreScaledToUnitRange() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF8000);
        image.setRGB(15, 15, 0x336699);
        ImagePreprocessor rgb = base(16, 16, 16).optPolicy(SizingPolicy.STRICT).build();
        ImagePreprocessor gray = base(16, 16, 16).optChannels(1).optPolicy(SizingPolicy.STRICT).build();

        PreprocessedImage colour = rgb.apply(image);
        PreprocessedImage luma = gray.apply(image);

        assertEquals(1f, colour.get(0, 0, 0), 0f, "R of #FF8000");
        assertEquals(128 / 255f, colour.get(1, 0, 0), 0f, "G of #FF8000");
        assertEquals(0f, colour.get(2, 0, 0), 0f, "B of #FF8000");
        assertEquals(0x99 / 255f, colour.get(2, 15, 15), 0f, "B of #336699");
        // (255*19595 + 128*38470 + 0x8000) >> 16 = 151
        assertEquals(151 / 255f, luma.get(0, 0, 0), 0f, "luma of #FF8000");
    }

    @Test
    void grayImageIsReplicatedForThreeChannels() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(3, 2, 0, 200);
        ImagePreprocessor p = base(16, 16, 16).optPolicy(SizingPolicy.STRICT).build();

        PreprocessedImage out = p.apply(image);

        for (int c = 0; c < 3; c++) {
            assertEquals(200 / 255f, out.get(c, 2, 3), 0f, "channel " + c);
            assertEquals(0f, out.get(c, 0, 0), 0f, "black, channel " + c);
        }
    }

    @Test
    void inputArrayIsNotModified() throws IOException {
        float[] image = ramp(3, 32, 32);
        float[] copy = image.clone();
        for (SizingPolicy policy : SizingPolicy.values()) {
            base(32, 32, 16).optPolicy(policy).optNormalization(Normalization.INCEPTION).build()
                    .apply(image, 3, 32, 32);
            assertArrayEquals(copy, image, 0f, "after " + policy);
        }
    }

    @Test
    void rawPixelsMustMatchTheShape() {
        ImagePreprocessor p = base(16, 16, 16).build();

        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> p.apply(new float[16 * 16], 1, 16, 16));
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> p.apply(new float[10], 3, 16, 16));

        assertEquals("pixels have 1 channels, the preprocessor expects 3", channels.getMessage());
        assertEquals("chw01 has 10 values, shape (C=3, H=16, W=16) needs 768", length.getMessage());
    }

    // ---------------------------------------------------------------- builder

    @Test
    void defaults() {
        ImagePreprocessor p = base(224, 224, 16).build();

        assertEquals(224, p.getHeight());
        assertEquals(224, p.getWidth());
        assertEquals(16, p.getPatchSize());
        assertEquals(3, p.getChannels());
        assertEquals(SizingPolicy.RESIZE_CROP, p.getPolicy());
        assertEquals(0.875, p.getCropPct());
        assertEquals(Interpolation.BICUBIC, p.getInterpolation());
        assertEquals(Normalization.identity(3), p.getNormalization());
    }

    @Test
    void builderRefusesBadSettingsNamingTheValue() {
        assertMessage("image size is required: call setImageSize(height, width)",
                ImagePreprocessor.builder().setPatchSize(16));
        assertMessage("patch size is required: call setPatchSize(patchSize)",
                ImagePreprocessor.builder().setImageSize(224, 224));
        assertMessage("image size must be positive, got height 0 and width 224", base(0, 224, 16));
        assertMessage("patchSize must be >= 1, got 0", base(224, 224, 0));
        assertMessage("image height 225 is not a multiple of patch size 16", base(225, 224, 16));
        assertMessage("image width 100 is not a multiple of patch size 16", base(224, 100, 16));
        assertMessage("channels must be 1 or 3, got 4", base(224, 224, 16).optChannels(4));
        assertMessage("policy must not be null", base(224, 224, 16).optPolicy(null));
        assertMessage("cropPct must be in (0, 1], got 1.5", base(224, 224, 16).optCropPct(1.5));
        assertMessage("cropPct must be in (0, 1], got 0.0", base(224, 224, 16).optCropPct(0));
        assertMessage("cropPct must be in (0, 1], got NaN", base(224, 224, 16).optCropPct(Double.NaN));
        assertMessage("interpolation must not be null", base(224, 224, 16).optInterpolation(null));
        assertMessage("normalization has 3 channels but channels is 1",
                base(224, 224, 16).optChannels(1).optNormalization(Normalization.IMAGENET));
    }

    private static void assertMessage(String expected, ImagePreprocessor.Builder builder) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertEquals(expected, e.getMessage());
    }
}
