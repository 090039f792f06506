package org.vit4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.reliability.HostileFiles.chunk;
import static org.vit4j.reliability.HostileFiles.pngHeader;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding, pixel values, orientation and refusals of {@link ImageLoader}. Fixtures: make_fixtures.py. */
class ImageLoaderTest {

    private static final int RED = 0xFF0000;
    private static final int GREEN = 0x00FF00;
    private static final int BLUE = 0x0000FF;
    private static final int YELLOW = 0xFFFF00;
    private static final int WHITE = 0xFFFFFF;
    private static final int BLACK = 0x000000;

    private final ImageLoader rgbLoader = ImageLoader.builder().build();
    private final ImageLoader grayLoader = ImageLoader.builder().optChannels(1).build();

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Paths.get(ImageLoaderTest.class.getResource("/images/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    static byte[] fixtureBytes(String name) throws IOException {
        try (InputStream in = ImageLoaderTest.class.getResourceAsStream("/images/" + name)) {
            return in.readAllBytes();
        }
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xFFFFFF;
    }

    private static int gray(BufferedImage image, int x, int y) {
        return image.getRaster().getSample(x, y, 0); // the sample, not getRGB (which would gamma-convert)
    }

    private static void assertNear(int expected, int actual, int tolerance, String what) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF;
            int a = (actual >> shift) & 0xFF;
            assertTrue(Math.abs(e - a) <= tolerance, String.format("%s: expected #%06X +-%d, got #%06X",
                    what, expected, tolerance, actual));
        }
    }

    // ---------------------------------------------------------------- formats and pixel values

    @ParameterizedTest
    @ValueSource(strings = {"quadrants.png", "quadrants.bmp", "quadrants.webp"})
    void losslessQuadrantsDecodeExactly(String name) throws IOException {
        BufferedImage image = rgbLoader.load(fixture(name));

        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType(), "image type");
        assertEquals(32, image.getWidth(), "width");
        assertEquals(16, image.getHeight(), "height");
        assertEquals(RED, rgb(image, 0, 0), "top-left");
        assertEquals(GREEN, rgb(image, 31, 0), "top-right");
        assertEquals(BLUE, rgb(image, 0, 15), "bottom-left");
        assertEquals(YELLOW, rgb(image, 31, 15), "bottom-right");
        assertEquals(RED, rgb(image, 15, 7), "last red pixel");
        assertEquals(YELLOW, rgb(image, 16, 8), "first yellow pixel");
    }

    @Test
    void bytesAndPathDecodeTheSame() throws IOException {
        BufferedImage fromPath = rgbLoader.load(fixture("exif_orientation_6.jpg"));
        BufferedImage fromBytes = rgbLoader.load(fixtureBytes("exif_orientation_6.jpg"), "exif_orientation_6.jpg");

        assertEquals(fromPath.getWidth(), fromBytes.getWidth());
        assertEquals(fromPath.getHeight(), fromBytes.getHeight());
        assertArrayEquals(fromPath.getRGB(0, 0, 16, 32, null, 0, 16), fromBytes.getRGB(0, 0, 16, 32, null, 0, 16));
    }

    @Test
    void grayIsPilLumaOfRgb() throws IOException {
        BufferedImage image = grayLoader.load(fixture("quadrants.png"));

        assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType(), "image type");
        // PIL convert("L"): (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
        assertEquals(76, gray(image, 0, 0), "red");
        assertEquals(150, gray(image, 31, 0), "green");
        assertEquals(29, gray(image, 0, 15), "blue");
        assertEquals(226, gray(image, 31, 15), "yellow");
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws IOException {
        // Quadrants written by PIL as CMYK: none (white), K (black), C (cyan), M+Y (red).
        BufferedImage image = rgbLoader.load(fixture("cmyk.jpg"));

        assertEquals(32, image.getWidth(), "width");
        assertNear(WHITE, rgb(image, 2, 2), 16, "no ink");
        assertNear(BLACK, rgb(image, 29, 2), 16, "black ink");
        assertNear(0x00FFFF, rgb(image, 2, 13), 16, "cyan ink");
        assertNear(RED, rgb(image, 29, 13), 16, "magenta + yellow ink");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gray16.png", "gray16.tif"})
    void sixteenBitGrayIsScaledBy65535To255(String name) throws IOException {
        // Columns hold 0, 257, 32896, 65535 (two pixels each) -> 0, 1, 128, 255.
        int[] expected = {0, 0, 1, 1, 128, 128, 255, 255};

        BufferedImage gray = grayLoader.load(fixture(name));
        BufferedImage rgb = rgbLoader.load(fixture(name));

        for (int x = 0; x < 8; x++) {
            for (int y = 0; y < 2; y++) {
                assertEquals(expected[x], gray(gray, x, y), name + " gray at (" + x + ", " + y + ")");
                int v = expected[x];
                assertEquals((v << 16) | (v << 8) | v, rgb(rgb, x, y), name + " rgb at (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void sixteenBitRgbKeepsChannelOrderAndBrightness() throws IOException {
        // (65535, 32896, 0) and (257, 0, 65535)
        BufferedImage image = rgbLoader.load(fixture("rgb16.png"));

        assertEquals(0xFF8000, rgb(image, 0, 0), "first pixel");
        assertEquals(0x0100FF, rgb(image, 1, 0), "second pixel");
    }

    @Test
    void paletteTransparencyIsCompositedOntoTheBackground() throws IOException {
        // Indices: transparent black, red with alpha 128, opaque blue.
        BufferedImage onWhite = rgbLoader.load(fixture("palette_trns.png"));
        BufferedImage onBlack = ImageLoader.builder().optBackground(Color.BLACK).build()
                .load(fixture("palette_trns.png"));

        assertEquals(WHITE, rgb(onWhite, 0, 0), "transparent on white");
        assertEquals(0xFF7F7F, rgb(onWhite, 1, 0), "red a=128 on white: 255*(1-128/255) = 127");
        assertEquals(BLUE, rgb(onWhite, 2, 0), "opaque blue on white");
        assertEquals(BLACK, rgb(onBlack, 0, 0), "transparent on black");
        assertEquals(0x800000, rgb(onBlack, 1, 0), "red a=128 on black: 255*128/255 = 128");
        assertEquals(BLUE, rgb(onBlack, 2, 0), "opaque blue on black");
    }

    @Test
    void grayAlphaIsCompositedOntoTheBackground() throws IOException {
        // (gray, alpha): (0, 255), (0, 0), (200, 51) -> 200*0.2 + bg*0.8
        BufferedImage onWhite = grayLoader.load(fixture("gray_alpha.png"));
        BufferedImage onBlack = ImageLoader.builder().optChannels(1).optBackground(Color.BLACK).build()
                .load(fixture("gray_alpha.png"));

        assertEquals(0, gray(onWhite, 0, 0), "opaque black");
        assertEquals(255, gray(onWhite, 1, 0), "transparent on white");
        assertEquals(244, gray(onWhite, 2, 0), "200*0.2 + 255*0.8");
        assertEquals(0, gray(onBlack, 1, 0), "transparent on black");
        assertEquals(40, gray(onBlack, 2, 0), "200*0.2 + 0*0.8");
    }

    @Test
    void multiPageTiffGivesTheFirstPage() throws IOException {
        BufferedImage image = rgbLoader.load(fixture("multipage.tif")); // pages red, green, blue

        assertEquals(8, image.getWidth(), "width");
        assertEquals(4, image.getHeight(), "height");
        assertEquals(RED, rgb(image, 0, 0), "top-left of page 1");
        assertEquals(RED, rgb(image, 7, 3), "bottom-right of page 1");
    }

    @Test
    void animatedGifGivesTheFirstFrame() throws IOException {
        BufferedImage image = rgbLoader.load(fixture("two_frames.gif")); // frames green, blue

        assertEquals(GREEN, rgb(image, 0, 0), "top-left of frame 1");
        assertEquals(GREEN, rgb(image, 7, 3), "bottom-right of frame 1");
    }

    // ---------------------------------------------------------------- EXIF orientation

    /**
     * The stored picture is 32x16 with quadrants red (TL), green (TR), blue (BL), yellow (BR);
     * the rows give where those colours must be after applying each orientation (PIL exif_transpose).
     */
    @ParameterizedTest(name = "orientation {0}")
    @CsvSource({
        "1, 32, 16, FF0000, 00FF00, 0000FF, FFFF00",
        "2, 32, 16, 00FF00, FF0000, FFFF00, 0000FF",
        "3, 32, 16, FFFF00, 0000FF, 00FF00, FF0000",
        "4, 32, 16, 0000FF, FFFF00, FF0000, 00FF00",
        "5, 16, 32, FF0000, 0000FF, 00FF00, FFFF00",
        "6, 16, 32, 0000FF, FF0000, FFFF00, 00FF00",
        "7, 16, 32, FFFF00, 00FF00, 0000FF, FF0000",
        "8, 16, 32, 00FF00, FFFF00, FF0000, 0000FF",
    })
    void exifOrientationIsApplied(int orientation, int width, int height,
                                  String topLeft, String topRight, String bottomLeft, String bottomRight)
            throws IOException {
        BufferedImage image = rgbLoader.load(fixture("exif_orientation_" + orientation + ".jpg"));

        assertEquals(width, image.getWidth(), "width");
        assertEquals(height, image.getHeight(), "height");
        // Two pixels in from each corner, away from JPEG ringing at the borders.
        assertNear(Integer.parseInt(topLeft, 16), rgb(image, 2, 2), 12, "top-left");
        assertNear(Integer.parseInt(topRight, 16), rgb(image, width - 3, 2), 12, "top-right");
        assertNear(Integer.parseInt(bottomLeft, 16), rgb(image, 2, height - 3), 12, "bottom-left");
        assertNear(Integer.parseInt(bottomRight, 16), rgb(image, width - 3, height - 3), 12, "bottom-right");
    }

    @Test
    void exifOrientationIsReadInBothByteOrders() {
        // IFD0 with one entry: 0x0112 SHORT 1 = 6 (little-endian), 3 (big-endian); LONG is tolerated.
        byte[] little = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0};
        byte[] big = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0};
        byte[] asLong = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 4, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};
        byte[] outOfRange = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0};

        assertEquals(6, JpegExif.orientation(new java.io.ByteArrayInputStream(jpegWithExif(little))), "little-endian");
        assertEquals(3, JpegExif.orientation(new java.io.ByteArrayInputStream(jpegWithExif(big))), "big-endian");
        assertEquals(8, JpegExif.orientation(new java.io.ByteArrayInputStream(jpegWithExif(asLong))), "LONG");
        assertEquals(1, JpegExif.orientation(new java.io.ByteArrayInputStream(jpegWithExif(outOfRange))),
                "9 is no orientation");
        assertEquals(1, JpegExif.orientation(new java.io.ByteArrayInputStream(new byte[] {1, 2, 3})),
                "not a JPEG");
        byte[] broken = jpegWithExif(little);
        broken[16] = 'X'; // byte-order mark "XI"
        assertEquals(1, JpegExif.orientation(new java.io.ByteArrayInputStream(broken)), "bad TIFF header");
    }

    /** SOI, an APP1 segment {@code "Exif\0\0" + tiff}, SOS, EOI. */
    private static byte[] jpegWithExif(byte[] tiff) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1});
        int length = 2 + 6 + tiff.length;
        b.write(length >> 8);
        b.write(length & 0xFF);
        b.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        b.writeBytes(tiff);
        b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xDA, 0, 2, (byte) 0xFF, (byte) 0xD9});
        return b.toByteArray();
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void decompressionBombIsRefusedFromTheHeader() {
        byte[] bomb = pngHeader(100_000, 100_000); // 10^10 pixels: decoding would need 30 GB

        ImageLoadException e = assertThrows(ImageLoadException.class, () -> rgbLoader.load(bomb, "cat.jpg"));

        assertEquals("cat.jpg: image is 100000x100000 = 10000000000 pixels, above the limit of 89478485 "
                + "(raise the limit with --max-pixels, or ImageLoader.Builder.optMaxPixels)", e.getMessage());
        assertEquals("cat.jpg", e.getSource());
        assertTrue(e.getReason().startsWith("image is 100000x100000"), e.getReason());
    }

    @Test
    void maxPixelsIsInclusive() throws IOException {
        ImageLoader exact = ImageLoader.builder().optMaxPixels(32 * 16).build();
        ImageLoader below = ImageLoader.builder().optMaxPixels(32 * 16 - 1).build();

        assertEquals(32, exact.load(fixture("quadrants.png")).getWidth(), "512 pixels with a limit of 512");
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> below.load(fixture("quadrants.png")));
        assertEquals("image is 32x16 = 512 pixels, above the limit of 511 (raise the limit with --max-pixels, or ImageLoader.Builder.optMaxPixels)", e.getReason());
    }

    @Test
    void zeroSizedImageIsRefused() {
        ImageLoadException e = assertThrows(ImageLoadException.class,
                () -> rgbLoader.load(pngHeader(0, 5), "empty.png"));

        // The JDK PNG reader rejects width 0 while reading the header; other readers reach our own check.
        assertTrue(e.getMessage().startsWith("empty.png: "), e.getMessage());
        assertTrue(e.getReason().equals("image has zero size (0x5)")
                || e.getReason().startsWith("invalid image header (PNG: ") && e.getReason().contains("width <= 0"),
                e.getReason());
    }

    @Test
    void zeroByteFileIsRefused() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.jpg"));

        ImageLoadException e = assertThrows(ImageLoadException.class, () -> rgbLoader.load(empty));

        assertEquals(empty + ": file is empty (0 bytes)", e.getMessage());
    }

    @Test
    void textFileNamedJpgIsRefused() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.jpg"), "these are not pixels\n");

        ImageLoadException e = assertThrows(ImageLoadException.class, () -> rgbLoader.load(text));

        assertEquals(text + ": not a recognised image (supported: JPEG, PNG, GIF, BMP, TIFF, WebP)", e.getMessage());
    }

    @Test
    void missingFileAndDirectoryAreRefused() {
        Path missing = tmp.resolve("nope.png");

        ImageLoadException notFound = assertThrows(ImageLoadException.class, () -> rgbLoader.load(missing));
        ImageLoadException directory = assertThrows(ImageLoadException.class, () -> rgbLoader.load(tmp));

        assertEquals(missing + ": no such file or directory", notFound.getMessage());
        assertEquals(tmp + ": is a directory, not an image file", directory.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"noise.png", "noise.jpg", "quadrants.bmp", "quadrants.webp"})
    void truncatedFileIsRefused(String name) throws IOException {
        byte[] bytes = fixtureBytes(name);
        byte[] cut = Arrays.copyOf(bytes, bytes.length * 6 / 10);

        ImageLoadException e = assertThrows(ImageLoadException.class, () -> rgbLoader.load(cut, name));

        assertEquals(name, e.getSource());
        assertTrue(e.getReason().contains("truncated") || e.getReason().contains("corrupt"), e.getReason());
    }

    @Test
    void truncatedJpegSaysTruncated() throws IOException {
        byte[] bytes = fixtureBytes("noise.jpg");
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);

        ImageLoadException e = assertThrows(ImageLoadException.class, () -> rgbLoader.load(cut, "noise.jpg"));

        assertTrue(e.getReason().startsWith("image data is truncated (JPEG: "), e.getReason());
    }

    @Test
    void pngWithCutCompressedDataIsNotReturnedHalfGrey() throws IOException {
        // Chunk structure intact (lengths and CRCs valid), but IDAT holds only half the zlib stream.
        byte[] png = rewriteIdat(fixtureBytes("noise.png"));

        ImageLoadException e = assertThrows(ImageLoadException.class, () -> rgbLoader.load(png, "noise.png"));

        assertTrue(e.getReason().startsWith("image data is truncated (PNG: "), e.getReason());
    }

    @Test
    void isImageFileGoesByExtension() {
        for (String ok : new String[] {"a.jpg", "a.JPEG", "b.png", "c.gif", "d.BMP", "e.tif", "f.tiff", "g.WebP"}) {
            assertTrue(ImageLoader.isImageFile(Paths.get("dir", ok)), ok);
        }
        for (String no : new String[] {"a.txt", "jpg", "a.jpg.bak", "a.", "README"}) {
            assertFalse(ImageLoader.isImageFile(Paths.get(no)), no);
        }
        assertFalse(ImageLoader.isImageFile(null), "null");
    }

    @Test
    void builderValidatesWithTheValue() {
        IllegalArgumentException pixels = assertThrows(IllegalArgumentException.class,
                () -> ImageLoader.builder().optMaxPixels(0).build());
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> ImageLoader.builder().optChannels(2).build());
        IllegalArgumentException background = assertThrows(IllegalArgumentException.class,
                () -> ImageLoader.builder().optBackground(null).build());

        assertEquals("maxPixels must be > 0, got 0", pixels.getMessage());
        assertEquals("channels must be 1 or 3, got 2", channels.getMessage());
        assertEquals("background must not be null", background.getMessage());
    }

    @Test
    void defaultsAreDocumented() {
        ImageLoader loader = ImageLoader.builder().build();

        assertEquals(89_478_485L, loader.getMaxPixels(), "Pillow's MAX_IMAGE_PIXELS");
        assertEquals(Color.WHITE, loader.getBackground(), "background");
        assertEquals(3, loader.getChannels(), "channels");
    }

    // ---------------------------------------------------------------- crafted PNGs

    /** Copies a PNG, keeping only the first half of every IDAT chunk's data (with fixed lengths and CRCs). */
    private static byte[] rewriteIdat(byte[] png) {
        ByteBuffer in = ByteBuffer.wrap(png);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 8);
        in.position(8);
        while (in.remaining() >= 12) {
            int length = in.getInt();
            byte[] type = new byte[4];
            in.get(type);
            byte[] data = new byte[length];
            in.get(data);
            in.getInt(); // old CRC
            String name = new String(type, StandardCharsets.US_ASCII);
            chunk(out, name, name.equals("IDAT") ? Arrays.copyOf(data, length / 2) : data);
        }
        return out.toByteArray();
    }
}
