package org.vit4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The direct 8-bit read of {@link Pixels#toRgb} gives the same pixels as the sample-by-sample path. */
class PixelsTest {

    private static BufferedImage random(int type, long seed) {
        BufferedImage img = new BufferedImage(37, 23, type);
        Random rng = new Random(seed);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, rng.nextInt());
            }
        }
        return img;
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY})
    void directReadOfOpaque8BitImagesEqualsTheSamplePath(int type) {
        BufferedImage img = random(type, type);
        int[] direct = Pixels.packed8Bit(img);
        assertNotNull(direct, "type " + type + " should take the direct path");
        assertArrayEquals(Pixels.toRgbBySamples(img, 0xFFFFFF), direct);
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_BGR,
        BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_BYTE_INDEXED})
    void otherLayoutsFallBackAndStillAgree(int type) {
        BufferedImage img = random(type, type);
        assertNull(Pixels.packed8Bit(img), "type " + type);
        assertArrayEquals(Pixels.toRgbBySamples(img, 0x102030), Pixels.toRgb(img, 0x102030));
    }

    @Test
    void subimagesAreReadAtTheirOffset() {
        BufferedImage whole = random(BufferedImage.TYPE_3BYTE_BGR, 7);
        BufferedImage sub = whole.getSubimage(5, 3, 20, 11);
        assertArrayEquals(Pixels.toRgbBySamples(sub, 0), Pixels.toRgb(sub, 0));
        BufferedImage ints = random(BufferedImage.TYPE_INT_RGB, 8).getSubimage(4, 2, 9, 9);
        assertArrayEquals(Pixels.toRgbBySamples(ints, 0), Pixels.toRgb(ints, 0));
    }

    @Test
    void decodedJpegTakesTheDirectPath() throws IOException {
        try (InputStream in = PixelsTest.class.getResourceAsStream("/images/noise.jpg")) {
            BufferedImage img = ImageIO.read(in);
            int[] direct = Pixels.packed8Bit(img);
            assertNotNull(direct, "decoded JPEG type " + img.getType());
            assertArrayEquals(Pixels.toRgbBySamples(img, 0xFFFFFF), direct);
        }
    }

    @Test
    void planesOfAnIntRgbImageEqualThoseOfItsPixels() {
        for (BufferedImage img : new BufferedImage[] {random(BufferedImage.TYPE_INT_RGB, 3),
            random(BufferedImage.TYPE_INT_RGB, 4).getSubimage(3, 2, 20, 10)}) {
            int[] rgb = Pixels.toRgbBySamples(img, 0xFFFFFF);
            float[] chw = Pixels.toPlanar(img, 3);
            int plane = rgb.length;
            for (int i = 0; i < plane; i++) {
                assertEquals(((rgb[i] >> 16) & 0xFF) / 255f, chw[i]);
                assertEquals(((rgb[i] >> 8) & 0xFF) / 255f, chw[plane + i]);
                assertEquals((rgb[i] & 0xFF) / 255f, chw[2 * plane + i]);
            }
        }
    }
}
