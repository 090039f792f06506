package org.vit4j.reliability;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Makes the hostile-input corpus: pictures of known content, and files crafted byte by byte
 * (headers claiming huge sizes, bad CRCs, corrupt Huffman tables, hand-written .npy).
 */
public final class HostileFiles {

    private HostileFiles() {}


    static BufferedImage noise(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    /** 16-bit grey with samples {@code v * 257}, so that the 8-bit picture is exactly {@code v}. */
    static BufferedImage gray16(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, r.nextInt(256) * 257);
            }
        }
        return img;
    }

    static BufferedImage gray8(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, r.nextInt(256));
            }
        }
        return img;
    }

    /** The same picture with 16-bit RGB samples {@code v * 257}. */
    static BufferedImage rgb16(BufferedImage rgb) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(rgb.getWidth(), rgb.getHeight());
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int v = rgb.getRGB(x, y);
                r.setPixel(x, y, new int[] {(v >> 16 & 255) * 257, (v >> 8 & 255) * 257, (v & 255) * 257});
            }
        }
        return new BufferedImage(cm, r, false, null);
    }

    static BufferedImage palette(int w, int h) {
        byte[] red = {0, (byte) 255, 10, (byte) 200};
        byte[] green = {0, 40, (byte) 250, (byte) 128};
        byte[] blue = {0, 90, 30, (byte) 255};
        IndexColorModel cm = new IndexColorModel(2, 4, red, green, blue);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % 4);
            }
        }
        return img;
    }

    static BufferedImage toRgb(BufferedImage img) {
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                out.setRGB(x, y, img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return out;
    }

    /** Grey + alpha, alpha only 0 or 255 so that compositing onto white is exact. */
    static BufferedImage grayAlpha(int w, int h) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setPixel(x, y, new int[] {(x * 37 + y * 11) % 256, (x + y) % 3 == 0 ? 0 : 255});
            }
        }
        return new BufferedImage(cm, r, false, null);
    }

    static BufferedImage grayAlphaOnWhite(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x + y) % 3 == 0 ? 255 : (x * 37 + y * 11) % 256);
            }
        }
        return img;
    }

    static byte[] multiPageTiff(BufferedImage first, BufferedImage second) throws IOException {
        return sequence("tiff", first, second);
    }

    static byte[] animatedGif(BufferedImage first, BufferedImage second) throws IOException {
        return sequence("gif", first, second);
    }

    private static byte[] sequence(String format, BufferedImage... frames) throws IOException {
        ImageWriter w = null;
        for (var it = ImageIO.getImageWritersByFormatName(format); it.hasNext(); ) {
            ImageWriter c = it.next();
            if (c.canWriteSequence()) {
                w = c;
                break;
            }
        }
        assertNotNull(w, "no " + format + " writer for sequences");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(out);
            w.prepareWriteSequence(null);
            for (BufferedImage f : frames) {
                w.writeToSequence(new IIOImage(f, null, null), null);
            }
            w.endWriteSequence();
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = HostileFiles.class.getResourceAsStream("/images/" + name)) {
            assertNotNull(in, "fixture /images/" + name);
            return in.readAllBytes();
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] truncate(byte[] b, double fraction) {
        return Arrays.copyOf(b, (int) (b.length * fraction));
    }

    /** A PNG signature and an 8-bit RGB IHDR of the given size (correct CRC), then IEND: no pixel data. */
    public static byte[] pngHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** Appends a PNG chunk: length, type, data, and the CRC-32 of type and data. */
    public static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
        out.writeBytes(b.array());
    }

    /** Flips the stored CRC of the first IDAT chunk; the data itself is left intact. */
    static byte[] badCrc(byte[] png) {
        byte[] b = png.clone();
        ByteBuffer in = ByteBuffer.wrap(b);
        int pos = 8;
        while (pos + 8 <= b.length) {
            int len = in.getInt(pos);
            String type = new String(b, pos + 4, 4, StandardCharsets.US_ASCII);
            if (type.equals("IDAT")) {
                int crcAt = pos + 8 + len;
                b[crcAt + 3] ^= 0x5A;
                return b;
            }
            pos += 12 + len;
        }
        throw new AssertionError("no IDAT");
    }

    /**
     * A little-endian baseline TIFF header: one IFD for an 8-bit grey image of the given size with
     * one strip that starts beyond the end of the file (so there are no pixels either way).
     */
    static byte[] tiffHeader(int width, int height) {
        short[][] tags = { // tag, type (3 SHORT, 4 LONG)
            {256, 4}, {257, 4}, {258, 3}, {259, 3}, {262, 3}, {273, 4}, {277, 3}, {278, 4}, {279, 4}};
        long[] values = {width, height, 8, 1, 1, 1_000_000, 1, height, (long) width * Math.min(height, 1000)};
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 12 * tags.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) tags.length);
        for (int i = 0; i < tags.length; i++) {
            b.putShort(tags[i][0]).putShort(tags[i][1]).putInt(1);
            if (tags[i][1] == 3) {
                b.putShort((short) values[i]).putShort((short) 0);
            } else {
                b.putInt((int) Math.min(values[i], 0xFFFFFFFFL));
            }
        }
        b.putInt(0); // no next IFD
        return b.array();
    }

    /** A BMP (BITMAPINFOHEADER, 24 bit) header claiming the given size, with no pixel data. */
    static byte[] bmpHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24)
                .putInt(0).putInt(0).putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    /** Overwrites the 16 code-length counts of the first DHT segment: their sum becomes 4080 > 256. */
    static byte[] corruptHuffman(byte[] jpg) {
        byte[] b = jpg.clone();
        int at = segment(b, 0xC4);
        for (int i = 0; i < 16; i++) {
            b[at + 5 + i] = (byte) 0xFF; // marker(2) length(2) class/id(1), then the counts
        }
        return b;
    }

    /** Rewrites the height and width of the SOF0 segment. */
    static byte[] jpegSize(byte[] jpg, int width, int height) {
        byte[] b = jpg.clone();
        int at = segment(b, 0xC0);
        b[at + 5] = (byte) (height >> 8);
        b[at + 6] = (byte) height;
        b[at + 7] = (byte) (width >> 8);
        b[at + 8] = (byte) width;
        return b;
    }

    /** Offset of the first marker segment {@code FF <marker>} before the scan data. */
    private static int segment(byte[] b, int marker) {
        int pos = 2; // after SOI
        while (pos + 4 <= b.length) {
            int m = b[pos + 1] & 0xFF;
            if ((b[pos] & 0xFF) != 0xFF) {
                break;
            }
            if (m == marker) {
                return pos;
            }
            pos += 2 + ((b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF));
        }
        throw new AssertionError(String.format(Locale.ROOT, "no FF%02X segment", marker));
    }

    /** A .npy file with any header values, written by hand. */
    static byte[] npy(String descr, String shape, boolean fortran, byte[] data) {
        String header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int padded = (total + 63) / 64 * 64;
        StringBuilder h = new StringBuilder(header);
        while (10 + h.length() + 1 < padded) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
        b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }
}
