package org.vit4j.image;

import java.util.Objects;

/**
 * The output of {@link ImagePreprocessor}: a normalized image of shape {@code (C, H, W)}, stored
 * row-major (planar: channel 0's rows first), ready to become one item of an NCHW batch.
 *
 * <p>The array is not copied; treat it as owned by this record.
 *
 * @param data the pixels, {@code channels * height * width} values
 * @param channels {@code C}
 * @param height {@code H}
 * @param width {@code W}
 */
public record PreprocessedImage(float[] data, int channels, int height, int width) {

    /**
     * Checks that the shape is positive and matches the data length.
     *
     * @param data the pixels, {@code channels * height * width} values
     * @param channels {@code C}
     * @param height {@code H}
     * @param width {@code W}
     * @throws IllegalArgumentException if it does not
     */
    public PreprocessedImage {
        Objects.requireNonNull(data, "data");
        if (channels < 1 || height < 1 || width < 1
                || data.length != (long) channels * height * width) {
            throw new IllegalArgumentException("data has " + data.length + " values, shape is (C="
                    + channels + ", H=" + height + ", W=" + width + ")");
        }
    }

    /**
     * Returns the value at channel {@code c}, row {@code y}, column {@code x}.
     *
     * @param c channel
     * @param y row
     * @param x column
     * @return {@code data[(c * height + y) * width + x]}
     */
    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
