package org.vit4j.image;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the EXIF orientation (tag {@code 0x0112}) from a JPEG's APP1 segment without decoding
 * the image. Package-private helper of {@link ImageLoader}.
 *
 * <p>Walks the marker segments from SOI up to SOS; in the first {@code "Exif\0\0"} APP1 it reads
 * the TIFF header (byte order {@code II}/{@code MM}) and IFD0. Missing or malformed EXIF means
 * orientation 1, as in PIL, since a broken tag should not make a viewable picture unreadable.
 */
final class JpegExif {

    private static final int ORIENTATION_TAG = 0x0112;

    private JpegExif() {
    }

    /**
     * Returns the EXIF orientation of a JPEG stream.
     *
     * @param stream the JPEG bytes from the start; not closed
     * @return 1..8; 1 when there is no (valid) orientation
     */
    static int orientation(InputStream stream) {
        try {
            DataInputStream in = new DataInputStream(stream);
            if (in.readUnsignedByte() != 0xFF || in.readUnsignedByte() != 0xD8) {
                return 1;
            }
            while (true) {
                int b = in.readUnsignedByte();
                if (b != 0xFF) {
                    return 1; // not at a marker: give up quietly
                }
                int marker = in.readUnsignedByte();
                while (marker == 0xFF) { // fill bytes
                    marker = in.readUnsignedByte();
                }
                if (marker == 0xD9 || marker == 0xDA) { // EOI, SOS: no EXIF before the image data
                    return 1;
                }
                if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                    continue; // standalone markers carry no length
                }
                int length = in.readUnsignedShort() - 2;
                if (length < 0) {
                    return 1;
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (marker == 0xE1 && length >= 14 && payload[0] == 'E' && payload[1] == 'x'
                        && payload[2] == 'i' && payload[3] == 'f' && payload[4] == 0 && payload[5] == 0) {
                    return fromTiff(payload, 6);
                }
            }
        } catch (EOFException e) {
            return 1;
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /** Reads tag 0x0112 from IFD0 of the TIFF structure starting at {@code base}. */
    static int fromTiff(byte[] d, int base) {
        boolean little;
        if (d[base] == 'I' && d[base + 1] == 'I') {
            little = true;
        } else if (d[base] == 'M' && d[base + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(d, base + 2, little) != 42) {
            return 1;
        }
        long ifd = u32(d, base + 4, little);
        if (ifd < 8 || base + ifd + 2 > d.length) {
            return 1;
        }
        int p = base + (int) ifd;
        int entries = u16(d, p, little);
        p += 2;
        for (int i = 0; i < entries && p + 12 <= d.length; i++, p += 12) {
            if (u16(d, p, little) == ORIENTATION_TAG) {
                int type = u16(d, p + 2, little);
                // SHORT (3) is the standard; tolerate LONG (4) written by some tools.
                int value = type == 3 ? u16(d, p + 8, little) : type == 4 ? (int) u32(d, p + 8, little) : 1;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] d, int p, boolean little) {
        int a = d[p] & 0xFF;
        int b = d[p + 1] & 0xFF;
        return little ? (b << 8) | a : (a << 8) | b;
    }

    private static long u32(byte[] d, int p, boolean little) {
        long hi = u16(d, little ? p + 2 : p, little);
        long lo = u16(d, little ? p : p + 2, little);
        return (hi << 16) | lo;
    }
}
