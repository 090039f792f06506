package org.vit4j.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-channel normalization {@code x' = (x - mean[c]) / std[c]} applied to pixels in {@code [0, 1]}.
 *
 * <p>Immutable; the arrays passed in and handed out are copies.
 */
public final class Normalization {

    /** ImageNet statistics used by torchvision and most timm models (3 channels). */
    public static final Normalization IMAGENET = new Normalization(
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /** Inception-style statistics, mapping {@code [0, 1]} to {@code [-1, 1]} (3 channels; e.g. original ViT, big_vision). */
    public static final Normalization INCEPTION = new Normalization(
            new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});

    private final float[] mean;
    private final float[] std;

    private Normalization(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Creates a normalization from per-channel statistics.
     *
     * @param mean per-channel mean, finite
     * @param std per-channel standard deviation, finite and {@code > 0}, same length as {@code mean}
     * @return the normalization
     * @throws IllegalArgumentException if the lengths differ or are 0, or a value is out of range
     */
    public static Normalization of(float[] mean, float[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " values and std has "
                    + std.length + "; they need the same, non-zero length (one per channel)");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean[" + c + "] = " + mean[c] + " is not finite");
            }
            if (!(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("std[" + c + "] = " + std[c] + " must be finite and > 0");
            }
        }
        return new Normalization(mean.clone(), std.clone());
    }

    /**
     * Returns the normalization that leaves pixels unchanged (mean 0, std 1).
     *
     * @param channels number of channels, {@code >= 1}
     * @return the identity normalization
     * @throws IllegalArgumentException if {@code channels < 1}
     */
    public static Normalization identity(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        float[] std = new float[channels];
        Arrays.fill(std, 1f);
        return new Normalization(new float[channels], std);
    }

    /**
     * Returns the number of channels.
     *
     * @return the length of {@link #mean()}
     */
    public int channels() {
        return mean.length;
    }

    /**
     * Returns a copy of the per-channel mean.
     *
     * @return the mean
     */
    public float[] mean() {
        return mean.clone();
    }

    /**
     * Returns a copy of the per-channel standard deviation.
     *
     * @return the std
     */
    public float[] std() {
        return std.clone();
    }

    /**
     * Returns whether this normalization leaves every value unchanged.
     *
     * @return {@code true} if all means are 0 and all stds are 1
     */
    public boolean isIdentity() {
        for (int c = 0; c < mean.length; c++) {
            if (mean[c] != 0f || std[c] != 1f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Normalizes a planar {@code (C, H, W)} array in place.
     *
     * @param chw the pixels, {@code channels() * plane} values
     * @param plane {@code H * W}
     * @throws IllegalArgumentException if the length is not {@code channels() * plane}
     */
    public void applyInPlace(float[] chw, int plane) {
        if (plane < 0 || chw.length != (long) mean.length * plane) {
            throw new IllegalArgumentException("array has " + chw.length + " values, expected channels "
                    + mean.length + " x plane " + plane);
        }
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            // Divide (not multiply by 1/std) so results match torchvision's Normalize bit for bit.
            float s = std[c];
            for (int i = c * plane, end = i + plane; i < end; i++) {
                chw[i] = (chw[i] - m) / s;
            }
        }
    }

    /**
     * Undoes {@link #applyInPlace}: {@code x · std + mean} per channel, into a new array (to show a
     * preprocessed image as pixels).
     *
     * @param chw normalized planar {@code (C, H, W)} values, {@code channels() * plane} of them
     * @param plane {@code H * W}
     * @return the pixel values
     * @throws IllegalArgumentException if the length is not {@code channels() * plane}
     */
    public float[] inverse(float[] chw, int plane) {
        if (plane < 0 || chw.length != (long) mean.length * plane) {
            throw new IllegalArgumentException("array has " + chw.length + " values, expected channels "
                    + mean.length + " x plane " + plane);
        }
        float[] x = new float[chw.length];
        for (int c = 0; c < mean.length; c++) {
            for (int i = c * plane, end = i + plane; i < end; i++) {
                x[i] = chw[i] * std[c] + mean[c];
            }
        }
        return x;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization{mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "}";
    }
}
