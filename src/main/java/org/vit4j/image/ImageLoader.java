package org.vit4j.image;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.vit4j.io.IoErrors;

/**
 * Decodes image files to a {@link BufferedImage} that is {@code TYPE_INT_RGB} (channels 3) or
 * {@code TYPE_BYTE_GRAY} (channels 1), whatever the file's layout.
 *
 * <p>Formats: JPEG (including CMYK/YCCK, through the TwelveMonkeys plugin), PNG (1–16 bit; gray,
 * RGB, palette, with or without alpha), GIF (first frame), BMP, TIFF (first page; 8/16 bit),
 * WebP. What happens on the way:
 * <ol>
 *   <li>The header's width and height are read <em>before</em> the pixels; images of zero size
 *       or with more than {@link #getMaxPixels()} pixels are refused without allocating the raster
 *       (decompression-bomb guard, Pillow's {@code Image.MAX_IMAGE_PIXELS} by default).</li>
 *   <li>The first image is decoded; a truncated or corrupt stream is refused rather than returned
 *       as a partly grey picture.</li>
 *   <li>Samples are scaled to 8 bits by their depth ({@code 65535 -> 255}), alpha is composited
 *       onto {@link #getBackground()} (white by default), and a JPEG's EXIF orientation (1–8) is
 *       applied so the picture is upright, as PIL's {@code ImageOps.exif_transpose} does.</li>
 *   <li>For one channel, RGB becomes ITU-R BT.601 luma {@code 0.299R + 0.587G + 0.114B},
 *       equal to PIL's {@code convert("L")}; for three, gray is replicated.</li>
 * </ol>
 * Every failure is an {@link ImageLoadException} whose message names the source and the reason;
 * runtime exceptions and out-of-memory errors from ImageIO plugins are wrapped, never leaked.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ImageLoader {

    /** Default pixel limit, Pillow's {@code Image.MAX_IMAGE_PIXELS} ({@code 1024 * 1024 * 1024 / 4 / 3}). */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private static final Set<String> EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp");

    private static final String SUPPORTED = "JPEG, PNG, GIF, BMP, TIFF, WebP";

    /** Why a directory gives no inputs: it holds no file that {@link #isImageFile} accepts. */
    public static final String NO_IMAGE_FILES = "no image files found (looked for jpg, jpeg, png, gif, bmp, tif, tiff, webp)";

    private final long maxPixels;
    private final Color background;
    private final int channels;

    private ImageLoader(Builder builder) {
        this.maxPixels = builder.maxPixels;
        this.background = builder.background;
        this.channels = builder.channels;
    }

    /**
     * Returns a builder with the defaults: {@link #DEFAULT_MAX_PIXELS}, white background, 3 channels.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns whether a path names an image file by its extension: {@code jpg jpeg png gif bmp
     * tif tiff webp}, case-insensitive. The file is not opened.
     *
     * @param p the path; {@code null} gives {@code false}
     * @return {@code true} for a supported extension
     */
    public static boolean isImageFile(Path p) {
        if (p == null || p.getFileName() == null) {
            return false;
        }
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Decodes an image file. The source named in exceptions is {@code path.toString()}.
     *
     * @param path the file
     * @return a {@code TYPE_INT_RGB} or {@code TYPE_BYTE_GRAY} image, upright
     * @throws ImageLoadException if the file is missing, empty, not an image, truncated, in an
     *     unsupported format or above the pixel limit
     */
    public BufferedImage load(Path path) throws ImageLoadException {
        Objects.requireNonNull(path, "path");
        String source = path.toString();
        if (!Files.exists(path)) {
            throw new ImageLoadException(source, IoErrors.NO_SUCH_FILE); // the command line's words for it too
        }
        if (Files.isDirectory(path)) {
            throw new ImageLoadException(source, "is a directory, not an image file");
        }
        if (!Files.isReadable(path)) {
            throw new ImageLoadException(source, IoErrors.PERMISSION_DENIED);
        }
        try {
            if (Files.size(path) == 0) {
                throw new ImageLoadException(source, "file is empty (0 bytes)");
            }
            try (ImageInputStream in = new FileImageInputStream(path.toFile())) {
                return decode(in, source, () -> Files.newInputStream(path));
            }
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageLoadException(source, "cannot read file: " + e, e);
        }
    }

    /**
     * Decodes an image held in memory.
     *
     * @param bytes the encoded image (the whole file)
     * @param sourceName the name to use in exception messages, e.g. the original file name
     * @return a {@code TYPE_INT_RGB} or {@code TYPE_BYTE_GRAY} image, upright
     * @throws ImageLoadException if the bytes are empty, not an image, truncated, in an
     *     unsupported format or above the pixel limit
     */
    public BufferedImage load(byte[] bytes, String sourceName) throws ImageLoadException {
        Objects.requireNonNull(bytes, "bytes");
        String source = sourceName == null ? "<bytes>" : sourceName;
        if (bytes.length == 0) {
            throw new ImageLoadException(source, "file is empty (0 bytes)");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            return decode(in, source, () -> new ByteArrayInputStream(bytes));
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageLoadException(source, "cannot read data: " + e, e);
        }
    }

    /** Opens the encoded bytes again from the start (for the EXIF scan). */
    private interface StreamOpener {
        InputStream open() throws IOException;
    }

    private BufferedImage decode(ImageInputStream in, String source, StreamOpener reopen)
            throws ImageLoadException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageLoadException(source, "not a recognised image (supported: " + SUPPORTED + ")");
        }
        ImageReader reader = readers.next();
        String format = formatName(reader);
        BufferedImage decoded;
        int width = -1;
        int height = -1;
        try {
            reader.setInput(in, true, false);
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException e) {
                String what = causedByEof(e) ? "image data is truncated" : "invalid image header";
                throw new ImageLoadException(source, what + " (" + format + ": " + describe(e) + ")", e);
            }
            checkSize(source, width, height);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((r, message) -> warnings.add(message));
            decoded = reader.read(0);
            for (String w : warnings) {
                if (looksTruncated(w)) {
                    throw new ImageLoadException(source, "image data is truncated (" + format + ": " + w + ")");
                }
            }
            if (decoded == null) {
                throw new ImageLoadException(source, "the " + format + " decoder returned no image");
            }
        } catch (ImageLoadException e) {
            throw e;
        } catch (EOFException e) {
            throw new ImageLoadException(source, "image data is truncated (" + format + ": unexpected end of file)", e);
        } catch (IOException e) {
            // An I/O error from a decoder reading memory or a local file means bad data.
            String what = causedByEof(e) ? "image data is truncated" : "image data is corrupt or truncated";
            throw new ImageLoadException(source, what + " (" + format + ": " + describe(e) + ")", e);
        } catch (RuntimeException e) {
            throw new ImageLoadException(source, "cannot decode image, data corrupt or unsupported ("
                    + format + ": " + describe(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(source, "out of memory decoding a " + width + "x" + height + " "
                    + format + " image (lower maxPixels or raise the JVM heap, -Xmx)", e);
        } finally {
            reader.dispose();
        }
        int w = decoded.getWidth();
        int h = decoded.getHeight();
        checkSize(source, w, h); // the raster may differ from the header in broken files
        try {
            int[] rgb = Pixels.toRgb(decoded, background.getRGB() & 0xFFFFFF);
            decoded = null; // let the decoded raster go before allocating the output
            int orientation = 1;
            if ("JPEG".equals(format)) {
                try (InputStream exif = reopen.open()) {
                    orientation = JpegExif.orientation(exif);
                } catch (IOException e) {
                    orientation = 1;
                }
            }
            rgb = Pixels.orient(rgb, w, h, orientation);
            boolean swap = orientation >= 5;
            return Pixels.toImage(rgb, swap ? h : w, swap ? w : h, channels);
        } catch (RuntimeException e) {
            throw new ImageLoadException(source, "cannot convert " + format + " image: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(source, "out of memory converting a " + w + "x" + h
                    + " image (lower maxPixels or raise the JVM heap, -Xmx)", e);
        }
    }

    private void checkSize(String source, int width, int height) throws ImageLoadException {
        if (width <= 0 || height <= 0) {
            throw new ImageLoadException(source, "image has zero size (" + width + "x" + height + ")");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new ImageTooLargeException(source, "image is " + width + "x" + height + " = " + pixels
                    + " pixels, above the limit of " + maxPixels + " (raise the limit with --max-pixels, or ImageLoader.Builder.optMaxPixels)");
        }
    }

    private static String formatName(ImageReader reader) {
        try {
            String name = reader.getFormatName().toUpperCase(Locale.ROOT);
            return name.equals("JPG") ? "JPEG" : name.equals("TIF") ? "TIFF" : name;
        } catch (IOException | RuntimeException e) {
            return "image";
        }
    }

    private static boolean looksTruncated(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("premature") || m.contains("truncat") || m.contains("end of file")
                || m.contains("eof") || m.contains("end of stream") || m.contains("end of zlib")
                || m.contains("unexpected end");
    }

    /** Joins the distinct messages of an exception chain: "outer: inner". */
    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            String m = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return sb.toString();
    }

    private static boolean causedByEof(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EOFException || (c.getMessage() != null && looksTruncated(c.getMessage()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the pixel limit.
     *
     * @return the largest {@code width * height} accepted
     */
    public long getMaxPixels() {
        return maxPixels;
    }

    /**
     * Returns the colour that transparent pixels are composited onto.
     *
     * @return the background (opaque)
     */
    public Color getBackground() {
        return background;
    }

    /**
     * Returns the number of channels of loaded images.
     *
     * @return 1 ({@code TYPE_BYTE_GRAY}) or 3 ({@code TYPE_INT_RGB})
     */
    public int getChannels() {
        return channels;
    }

    @Override
    public String toString() {
        return "ImageLoader{maxPixels=" + maxPixels + ", background=#"
                + String.format("%06X", background.getRGB() & 0xFFFFFF) + ", channels=" + channels + "}";
    }

    /** Builder for {@link ImageLoader}; all checks happen in {@link #build()}. */
    public static final class Builder {

        private long maxPixels = DEFAULT_MAX_PIXELS;
        private Color background = Color.WHITE;
        private int channels = 3;

        private Builder() {
        }

        /**
         * Sets the largest {@code width * height} accepted; default {@link #DEFAULT_MAX_PIXELS}.
         *
         * @param maxPixels the limit, {@code > 0}
         * @return this builder
         */
        public Builder optMaxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Sets the colour transparent pixels are composited onto; default white. Its own alpha is ignored.
         *
         * @param background the colour, not {@code null}
         * @return this builder
         */
        public Builder optBackground(Color background) {
            this.background = background;
            return this;
        }

        /**
         * Sets the number of channels of loaded images; default 3.
         *
         * @param channels 1 (gray) or 3 (RGB)
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Validates the settings and builds the loader.
         *
         * @return the loader
         * @throws IllegalArgumentException if maxPixels is not positive, background is null, or
         *     channels is neither 1 nor 3
         */
        public ImageLoader build() {
            if (maxPixels <= 0) {
                throw new IllegalArgumentException("maxPixels must be > 0, got " + maxPixels);
            }
            if (background == null) {
                throw new IllegalArgumentException("background must not be null");
            }
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            }
            background = new Color(background.getRGB() & 0xFFFFFF); // drop alpha
            return new ImageLoader(this);
        }
    }

    /**
     * The pixels of a decoded image as planar floats {@code (C, H, W)} in [0, 1] ({@code v / 255}),
     * converted to {@code channels} as {@link #load} does.
     *
     * @param image a decoded image
     * @param channels 1 or 3
     * @return {@code channels·H·W} values
     */
    public static float[] toPlanar(BufferedImage image, int channels) {
        return Pixels.toPlanar(image, channels);
    }
}
