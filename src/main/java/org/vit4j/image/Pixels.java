package org.vit4j.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.util.Arrays;

/**
 * Converts decoded images of any layout to packed 8-bit RGB, and packed RGB to the two output
 * types ({@code TYPE_INT_RGB}, {@code TYPE_BYTE_GRAY}). Package-private helper of
 * {@link ImageLoader} and {@link ImagePreprocessor}.
 *
 * <p>Samples are read from the raster and scaled by their bit depth ({@code v * 255 / (2^bits - 1)},
 * so 16-bit 65535 becomes 255), never through {@code getRGB} for gray or RGB data: Java treats
 * gray as linear light and would brighten it, whereas files (and PIL) store display values.
 * Palette, gray, gray+alpha, RGB and RGBA in any bit depth, packed or not, premultiplied or not,
 * take this exact path; other colour spaces (CMYK, YCbCr, ...) fall back to Java's colour
 * management via {@code getRGB}.
 */
final class Pixels {

    /** {@code v / 255f} for every 8-bit {@code v}: the same floats, without a division per sample. */
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }

    private Pixels() {
    }

    /**
     * Returns the image as packed {@code 0xRRGGBB} pixels, row-major, with alpha composited onto
     * {@code background}: {@code out = c * a + bg * (1 - a)}, rounded half up.
     *
     * @param image any image
     * @param background packed {@code 0xRRGGBB} background (its alpha byte is ignored)
     * @return {@code width * height} packed pixels
     */
    static int[] toRgb(BufferedImage image, int background) {
        int[] direct = packed8Bit(image);
        return direct != null ? direct : toRgbBySamples(image, background);
    }

    /**
     * The fast path of {@link #toRgb} for opaque 8-bit images stored as bytes or packed ints
     * (what the JPEG and most PNG decoders produce): the stored values are the result, read
     * straight from the data buffer. Returns {@code null} for any other layout. Gives the same
     * pixels as {@link #toRgbBySamples}, which scales each 8-bit sample by {@code 255/255}.
     */
    static int[] packed8Bit(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm.hasAlpha() || cm instanceof IndexColorModel
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return null;
        }
        int type = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        boolean gray = type == ColorSpace.TYPE_GRAY && colours == 1;
        boolean rgb = type == ColorSpace.TYPE_RGB && colours == 3;
        if (!gray && !rgb || raster.getNumBands() != colours) {
            return null;
        }
        for (int b = 0; b < colours; b++) {
            if (cm.getComponentSize(b) != 8) {
                return null;
            }
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int[] out = new int[Math.multiplyExact(w, h)];
        SampleModel sm = raster.getSampleModel();
        DataBuffer buffer = raster.getDataBuffer();
        if (rgb && buffer instanceof DataBufferInt ints && buffer.getNumBanks() == 1
                && sm instanceof SinglePixelPackedSampleModel packed
                && Arrays.equals(packed.getBitMasks(), new int[] {0xFF0000, 0xFF00, 0xFF})) {
            int[] data = ints.getData();
            int stride = packed.getScanlineStride();
            for (int y = 0; y < h; y++) {
                int row = ints.getOffset() + y * stride;
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = data[row + x] & 0xFFFFFF;
                }
            }
            return out;
        }
        if (buffer instanceof DataBufferByte bytes && buffer.getNumBanks() == 1
                && sm instanceof PixelInterleavedSampleModel interleaved) {
            byte[] data = bytes.getData();
            int[] offsets = interleaved.getBandOffsets();
            int pixelStride = interleaved.getPixelStride();
            int stride = interleaved.getScanlineStride();
            int r0 = offsets[0];
            int g0 = gray ? r0 : offsets[1];
            int b0 = gray ? r0 : offsets[2];
            for (int y = 0; y < h; y++) {
                int p = bytes.getOffset() + y * stride;
                for (int x = 0; x < w; x++, p += pixelStride) {
                    out[y * w + x] = (data[p + r0] & 0xFF) << 16 | (data[p + g0] & 0xFF) << 8 | data[p + b0] & 0xFF;
                }
            }
            return out;
        }
        return null;
    }

    /** {@link #toRgb} for every layout, sample by sample. */
    static int[] toRgbBySamples(BufferedImage image, int background) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] out = new int[Math.multiplyExact(w, h)];
        double bgR = (background >> 16) & 0xFF;
        double bgG = (background >> 8) & 0xFF;
        double bgB = background & 0xFF;
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] lut = new int[1 << Math.min(16, icm.getPixelSize())];
            for (int i = 0; i < lut.length; i++) {
                // Indices past the palette read as opaque black, like PIL.
                int argb = i < icm.getMapSize() ? icm.getRGB(i) : 0xFF000000;
                double a = ((argb >>> 24) & 0xFF) / 255.0;
                lut[i] = pack(composite(((argb >> 16) & 0xFF) / 255.0, a, false, bgR),
                        composite(((argb >> 8) & 0xFF) / 255.0, a, false, bgG),
                        composite((argb & 0xFF) / 255.0, a, false, bgB));
            }
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = lut[row[x] & (lut.length - 1)];
                }
            }
            return out;
        }
        int type = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        boolean gray = type == ColorSpace.TYPE_GRAY && colours == 1;
        boolean rgb = type == ColorSpace.TYPE_RGB && colours == 3;
        int bands = cm.getNumComponents();
        if ((gray || rgb) && raster.getNumBands() == bands) {
            // Any RGB colour space is read as stored (no ICC conversion), as PIL does.
            double[] scale = new double[bands];
            int dataType = raster.getDataBuffer().getDataType();
            boolean floating = dataType == DataBuffer.TYPE_FLOAT || dataType == DataBuffer.TYPE_DOUBLE;
            for (int b = 0; b < bands; b++) {
                scale[b] = floating ? 1.0 : 1.0 / ((1L << cm.getComponentSize(b)) - 1);
            }
            boolean alpha = cm.hasAlpha();
            boolean premultiplied = alpha && cm.isAlphaPremultiplied();
            double[] px = new double[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, px);
                for (int x = 0, i = 0; x < w; x++, i += bands) {
                    double a = alpha ? clamp01(px[i + bands - 1] * scale[bands - 1]) : 1.0;
                    double r = clamp01(px[i] * scale[0]);
                    double g = gray ? r : clamp01(px[i + 1] * scale[1]);
                    double b = gray ? r : clamp01(px[i + 2] * scale[2]);
                    out[y * w + x] = pack(composite(r, a, premultiplied, bgR),
                            composite(g, a, premultiplied, bgG), composite(b, a, premultiplied, bgB));
                }
            }
            return out;
        }
        // CMYK, YCbCr, Lab, ...: let Java's colour management convert to sRGB.
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                double a = ((argb >>> 24) & 0xFF) / 255.0;
                out[y * w + x] = pack(composite(((argb >> 16) & 0xFF) / 255.0, a, false, bgR),
                        composite(((argb >> 8) & 0xFF) / 255.0, a, false, bgG),
                        composite((argb & 0xFF) / 255.0, a, false, bgB));
            }
        }
        return out;
    }

    /**
     * ITU-R BT.601 luma {@code 0.299 R + 0.587 G + 0.114 B}, in PIL's fixed-point form
     * ({@code (R*19595 + G*38470 + B*7471 + 0x8000) >> 16}), so gray values equal PIL's
     * {@code convert("L")}; weights sum to 65536, so a gray pixel keeps its value exactly.
     *
     * @param rgb packed {@code 0xRRGGBB}
     * @return luma in {@code 0..255}
     */
    static int luma(int rgb) {
        return (((rgb >> 16) & 0xFF) * 19595 + ((rgb >> 8) & 0xFF) * 38470 + (rgb & 0xFF) * 7471 + 0x8000) >> 16;
    }

    /**
     * Packs pixels into a new {@code TYPE_INT_RGB} (channels 3) or {@code TYPE_BYTE_GRAY}
     * (channels 1, via {@link #luma}) image.
     *
     * @param rgb packed pixels, {@code width * height}
     * @param width image width
     * @param height image height
     * @param channels 1 or 3
     * @return the image
     */
    static BufferedImage toImage(int[] rgb, int width, int height, int channels) {
        if (channels == 3) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            int[] data = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            System.arraycopy(rgb, 0, data, 0, rgb.length);
            return img;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i++) {
            data[i] = (byte) luma(rgb[i]);
        }
        return img;
    }

    /**
     * Returns the image as planar {@code (channels, H, W)} floats in {@code [0, 1]} ({@code v / 255}).
     * {@code TYPE_INT_RGB} and {@code TYPE_BYTE_GRAY} images are read directly; others are first
     * converted with {@link #toRgb} onto a white background.
     *
     * @param image any image
     * @param channels 1 or 3
     * @return {@code channels * H * W} values
     */
    static float[] toPlanar(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = Math.multiplyExact(w, h);
        float[] chw = new float[Math.multiplyExact(channels, plane)];
        if (channels == 1 && image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRaster().getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    chw[y * w + x] = UNIT[row[x] & 0xFF];
                }
            }
            return chw;
        }
        if (channels == 3 && image.getType() == BufferedImage.TYPE_INT_RGB
                && image.getRaster().getSampleModelTranslateX() == 0 && image.getRaster().getSampleModelTranslateY() == 0
                && image.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel packed
                && packed.getScanlineStride() == w) {
            // What ImageLoader returns: planes straight from the packed ints, without an int[] copy.
            DataBufferInt ints = (DataBufferInt) image.getRaster().getDataBuffer();
            return unpackPlanes(ints.getData(), ints.getOffset(), plane, chw);
        }
        int[] rgb = toRgb(image, 0xFFFFFF);
        if (channels == 1) {
            for (int i = 0; i < plane; i++) {
                chw[i] = UNIT[luma(rgb[i])];
            }
            return chw;
        }
        return unpackPlanes(rgb, 0, plane, chw);
    }

    /** Writes {@code plane} packed {@code 0xRRGGBB} pixels from {@code src[offset..]} as three planes in [0, 1]. */
    private static float[] unpackPlanes(int[] src, int offset, int plane, float[] chw) {
        for (int i = 0; i < plane; i++) {
            int p = src[offset + i];
            chw[i] = UNIT[(p >> 16) & 0xFF];
            chw[plane + i] = UNIT[(p >> 8) & 0xFF];
            chw[2 * plane + i] = UNIT[p & 0xFF];
        }
        return chw;
    }

    /**
     * Applies an EXIF orientation (1..8) to packed pixels; orientations 5..8 swap width and height.
     *
     * @param px source pixels, {@code width * height}, row-major
     * @param width source width
     * @param height source height
     * @param orientation EXIF tag 0x0112 value; anything outside 2..8 returns {@code px} unchanged
     * @return the upright pixels
     */
    static int[] orient(int[] px, int width, int height, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return px;
        }
        boolean swap = orientation >= 5;
        int outW = swap ? height : width;
        int outH = swap ? width : height;
        int[] out = new int[px.length];
        for (int r = 0; r < outH; r++) {
            for (int c = 0; c < outW; c++) {
                // (source row, source column) of output (r, c); matches PIL ImageOps.exif_transpose.
                int sr;
                int sc;
                switch (orientation) {
                    case 2 -> { sr = r; sc = width - 1 - c; }               // mirror horizontally
                    case 3 -> { sr = height - 1 - r; sc = width - 1 - c; }  // rotate 180
                    case 4 -> { sr = height - 1 - r; sc = c; }              // mirror vertically
                    case 5 -> { sr = c; sc = r; }                           // transpose
                    case 6 -> { sr = height - 1 - c; sc = r; }              // rotate 90 clockwise
                    case 7 -> { sr = height - 1 - c; sc = width - 1 - r; }  // transverse
                    default -> { sr = c; sc = width - 1 - r; }              // 8: rotate 90 counter-clockwise
                }
                out[r * outW + c] = px[sr * width + sc];
            }
        }
        return out;
    }

    private static int composite(double c, double a, boolean premultiplied, double bg) {
        double v = (premultiplied ? c : c * a) * 255.0 + bg * (1.0 - a);
        return (int) Math.min(255, Math.max(0, Math.round(v)));
    }

    private static double clamp01(double v) {
        return v > 1.0 ? 1.0 : (v >= 0.0 ? v : 0.0); // NaN -> 0
    }

    private static int pack(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }
}
