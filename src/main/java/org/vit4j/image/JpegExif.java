package org.vit4j.image;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads the EXIF orientation (tag {@code 0x0112}) of a JPEG without decoding the image, with
 * TwelveMonkeys' {@code imageio-metadata} (the library behind the JPEG, TIFF and WebP plugins):
 * {@code JPEGSegmentUtil} finds the first {@code "Exif"} APP1 segment before SOS and
 * {@code TIFFReader} reads its IFD0, in either byte order. Package-private helper of
 * {@link ImageLoader}.
 *
 * <p>Missing or malformed EXIF means orientation 1, as in PIL, since a broken tag should not make a
 * viewable picture unreadable.
 */
final class JpegExif {

    private JpegExif() {
    }

    /**
     * Returns the EXIF orientation of a JPEG stream.
     *
     * @param stream the JPEG bytes from the start; not closed
     * @return 1..8; 1 when there is no (valid) orientation
     */
    static int orientation(InputStream stream) {
        try (ImageInputStream jpeg = new MemoryCacheImageInputStream(stream)) {
            List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(jpeg, JPEG.APP1, "Exif");
            if (exif.isEmpty()) {
                return 1;
            }
            InputStream data = exif.get(0).data(); // after "Exif\0"
            if (data.read() == -1) { // the second 0 of "Exif\0\0"
                return 1;
            }
            try (ImageInputStream tiff = new MemoryCacheImageInputStream(data)) {
                Directory ifd0 = new TIFFReader().read(tiff);
                Entry entry = ifd0.getEntryById(TIFF.TAG_ORIENTATION);
                if (entry == null || !(entry.getValue() instanceof Number n)) {
                    return 1;
                }
                long value = n.longValue();
                return value >= 1 && value <= 8 ? (int) value : 1;
            }
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }
}
