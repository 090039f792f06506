package org.vit4j.image;

import java.util.Objects;

/**
 * Separable resampling of planar float images, numerically the same as PIL's {@code Image.resize}
 * in float mode ({@code 'F'}).
 *
 * <p>PIL {@code Resample.c}: the weights of each axis are {@link ResampleWeights} (pixel centres
 * at +0.5, i.e. {@code align_corners=False}; antialiased when shrinking). The horizontal pass runs
 * first and its result is stored as float, then the vertical pass; sums are accumulated in double
 * — the same order as PIL, so results agree to float rounding.
 *
 * <p>Hand-written because the point is PIL's numbers, which the libraries at hand do not give: a
 * checkpoint trained with PIL/torchvision preprocessing (timm, Hugging Face) gives its published
 * logits only on the same pixels. Java2D's bilinear and bicubic scaling does not widen the filter
 * when shrinking (no antialiasing) and works on 8-bit pixels; TwelveMonkeys' {@code ResampleOp}
 * has its own filters and also rounds to 8 bits; DJL's {@code NDImageUtils.resize} is OpenCV's
 * or libtorch's resize without PIL's antialiasing. {@code ResizerTest} holds this class to PIL's
 * own float-mode output.
 *
 * <p>Shapes: input {@code (C, H, W)}, output {@code (C, outH, outW)}, both row-major.
 */
public final class Resizer {

    private Resizer() {
    }

    /**
     * Resizes every channel of a planar image.
     *
     * @param chw input pixels, shape {@code (channels, height, width)}
     * @param channels {@code C >= 1}
     * @param height input height {@code >= 1}
     * @param width input width {@code >= 1}
     * @param outHeight output height {@code >= 1}
     * @param outWidth output width {@code >= 1}
     * @param interpolation the filter
     * @return a new array of shape {@code (channels, outHeight, outWidth)}; a copy when the size is unchanged
     * @throws IllegalArgumentException if a size is not positive or {@code chw} has the wrong length
     */
    public static float[] resize(float[] chw, int channels, int height, int width,
                                 int outHeight, int outWidth, Interpolation interpolation) {
        Objects.requireNonNull(chw, "chw");
        Objects.requireNonNull(interpolation, "interpolation");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input shape (C=" + channels + ", H=" + height + ", W="
                    + width + ") must be positive");
        }
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("output size " + outHeight + "x" + outWidth + " must be positive");
        }
        if (chw.length != (long) channels * height * width) {
            throw new IllegalArgumentException("chw has " + chw.length + " values, expected C*H*W = "
                    + channels + "*" + height + "*" + width + " = " + ((long) channels * height * width));
        }
        if ((long) channels * outHeight * outWidth > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output (C=" + channels + ", H=" + outHeight + ", W="
                    + outWidth + ") does not fit in one Java array");
        }
        return resizeWindow(chw, channels, height, width, outHeight, outWidth, 0, 0, outHeight, outWidth,
                interpolation);
    }

    /**
     * Resizes to {@code (outHeight, outWidth)} but computes only the window of {@code cropHeight}
     * rows from {@code top} and {@code cropWidth} columns from {@code left} — the same numbers as
     * resizing and then cropping, without allocating the full resized image (which, for a
     * panorama under a resize-then-crop policy, can be far larger than the crop).
     *
     * <p>Arguments are trusted (validated by the callers).
     */
    static float[] resizeWindow(float[] chw, int channels, int height, int width, int outHeight, int outWidth,
                                int top, int left, int cropHeight, int cropWidth, Interpolation interpolation) {
        // An axis whose size is unchanged is copied: PIL skips that pass, and at scale 1 both
        // filters are exactly 1 at distance 0 and 0 at +-1, +-2, so skipping changes nothing.
        ResampleWeights horizontal = outWidth == width ? null
                : ResampleWeights.of(width, outWidth, left, cropWidth, interpolation);
        ResampleWeights vertical = outHeight == height ? null
                : ResampleWeights.of(height, outHeight, top, cropHeight, interpolation);
        // Input rows the vertical pass reads: only these go through the horizontal pass (as in PIL).
        int r0 = vertical == null ? top : vertical.first();
        int r1 = vertical == null ? top + cropHeight : vertical.end();
        float[] temp = new float[(r1 - r0) * cropWidth];                       // (rows, cropW)
        float[] out = new float[channels * cropHeight * cropWidth];            // (C, cropH, cropW)
        double[] acc = new double[cropWidth];
        for (int c = 0; c < channels; c++) {
            int inBase = c * height * width;
            for (int y = r0; y < r1; y++) {
                int row = inBase + y * width;
                int t = (y - r0) * cropWidth;
                if (horizontal == null) {
                    System.arraycopy(chw, row + left, temp, t, cropWidth);
                } else {
                    horizontal.applyAlongRow(chw, row, temp, t);
                }
            }
            int outBase = c * cropHeight * cropWidth;
            for (int y = 0; y < cropHeight; y++) {
                if (vertical == null) {
                    System.arraycopy(temp, (top + y - r0) * cropWidth, out, outBase + y * cropWidth, cropWidth);
                } else {
                    vertical.applyAcrossRows(temp, r0, cropWidth, y, acc, out, outBase + y * cropWidth);
                }
            }
        }
        return out;
    }
}
