package org.vit4j.image;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Turns a decoded image into the normalized {@code (C, H, W)} array a Vision Transformer consumes:
 * pixels to {@code [0, 1]}, then sizing by {@link SizingPolicy}, then {@link Normalization}.
 *
 * <p>Training (from raw planar pixels, e.g. IDX data) and inference (from files) both call
 * {@link #apply}, so they share one code path.
 *
 * <p>Sizing, with target {@code (H, W) = (getHeight(), getWidth())} and patch size {@code p}:
 * <ul>
 *   <li>{@link SizingPolicy#RESIZE_CROP}: with {@code sH = floor(H / cropPct)} and
 *       {@code sW = floor(W / cropPct)}, scale the image keeping its aspect ratio so that it
 *       covers {@code sH x sW} — the binding side becomes exactly {@code sH} (or {@code sW}) and
 *       the other {@code floor(side * s / binding side)}, as torchvision {@code Resize(int)} —
 *       then center crop to {@code (H, W)} with torchvision's offsets
 *       {@code top = round((h - H) / 2)} (Python's round, half to even). For a square target
 *       this is timm's evaluation transform exactly; for a non-square target timm would instead
 *       stretch to {@code sH x sW}, which distorts the picture, so we keep the aspect.</li>
 *   <li>{@link SizingPolicy#RESIZE}: resize to exactly {@code (H, W)}.</li>
 *   <li>{@link SizingPolicy#PAD}: no resampling; after normalization the array is padded at the
 *       bottom and right with zeros up to multiples of {@code p}. Padding the <em>normalized</em>
 *       values with 0 is what timm's {@code PatchEmbed(dynamic_img_pad=True)} does
 *       ({@code F.pad} inside the model, on the normalized input), so padded pixels read as the
 *       dataset mean colour, not black. With the identity normalization the two coincide.</li>
 *   <li>{@link SizingPolicy#STRICT}: no resampling; sides that are not multiples of {@code p} are
 *       refused with the numbers.</li>
 * </ul>
 * Under PAD and STRICT {@code (H, W)} is the model's nominal size and does not limit the output;
 * images smaller than one patch are refused. Resampling is {@link Resizer} (PIL-equivalent, in
 * float, before any rounding to 8 bits).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ImagePreprocessor {

    /**
     * The crop ratio of {@link SizingPolicy#RESIZE_CROP} unless one is set: timm's
     * {@code DEFAULT_CROP_PCT}, 224 px crops from images resized to 256.
     */
    public static final double DEFAULT_CROP_PCT = 0.875;

    private static final String DEFAULT_SOURCE = "<image>";

    private final int height;
    private final int width;
    private final int patchSize;
    private final int channels;
    private final SizingPolicy policy;
    private final double cropPct;
    private final Interpolation interpolation;
    private final Normalization normalization;

    private ImagePreprocessor(Builder b) {
        this.height = b.height;
        this.width = b.width;
        this.patchSize = b.patchSize;
        this.channels = b.channels;
        this.policy = b.policy;
        this.cropPct = b.cropPct;
        this.interpolation = b.interpolation;
        this.normalization = b.normalization;
    }

    /**
     * Returns a builder; {@link Builder#setImageSize} and {@link Builder#setPatchSize} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Preprocesses a decoded image. Any {@link BufferedImage} is accepted; it is converted to
     * {@link #getChannels()} channels (gray as BT.601 luma, alpha over white) first — images from
     * {@link ImageLoader} already have the right layout and are read directly.
     *
     * @param image the image
     * @return the normalized {@code (C, H, W)} array
     * @throws ImageLoadException if the policy refuses the image's size (source {@code "<image>"})
     */
    public PreprocessedImage apply(BufferedImage image) throws ImageLoadException {
        return apply(image, DEFAULT_SOURCE);
    }

    /**
     * Preprocesses a decoded image, naming it {@code source} in exceptions.
     *
     * @param image the image
     * @param source the file name for messages, e.g. {@code "cat.jpg"}
     * @return the normalized {@code (C, H, W)} array
     * @throws ImageLoadException if the policy refuses the image's size
     */
    public PreprocessedImage apply(BufferedImage image, String source) throws ImageLoadException {
        Objects.requireNonNull(image, "image");
        float[] chw = Pixels.toPlanar(image, channels); // (C, h, w) in [0, 1]
        return process(chw, image.getHeight(), image.getWidth(), source == null ? DEFAULT_SOURCE : source);
    }

    /**
     * Preprocesses raw planar pixels in {@code [0, 1]}; the array is not modified.
     *
     * @param chw01 pixels, shape {@code (channels, height, width)}, row-major
     * @param channels must equal {@link #getChannels()}
     * @param height image height
     * @param width image width
     * @return the normalized {@code (C, H, W)} array
     * @throws ImageLoadException if the policy refuses the image's size (source {@code "<image>"})
     * @throws IllegalArgumentException if the channels or the array length do not match
     */
    public PreprocessedImage apply(float[] chw01, int channels, int height, int width) throws ImageLoadException {
        return apply(chw01, channels, height, width, DEFAULT_SOURCE);
    }

    /**
     * Preprocesses raw planar pixels in {@code [0, 1]}, naming them {@code source} in exceptions.
     *
     * @param chw01 pixels, shape {@code (channels, height, width)}, row-major; not modified
     * @param channels must equal {@link #getChannels()}
     * @param height image height, {@code >= 1}
     * @param width image width, {@code >= 1}
     * @param source the name for messages
     * @return the normalized {@code (C, H, W)} array
     * @throws ImageLoadException if the policy refuses the image's size
     * @throws IllegalArgumentException if the channels or the array length do not match
     */
    public PreprocessedImage apply(float[] chw01, int channels, int height, int width, String source)
            throws ImageLoadException {
        Objects.requireNonNull(chw01, "chw01");
        if (channels != this.channels) {
            throw new IllegalArgumentException("pixels have " + channels + " channels, the preprocessor expects "
                    + this.channels);
        }
        if (height < 1 || width < 1 || chw01.length != (long) channels * height * width) {
            throw new IllegalArgumentException("chw01 has " + chw01.length + " values, shape (C=" + channels
                    + ", H=" + height + ", W=" + width + ") needs " + ((long) channels * height * width));
        }
        return process(chw01, height, width, source == null ? DEFAULT_SOURCE : source);
    }

    /**
     * Returns the {@code {height, width}} that {@link #apply} produces for an image of the given
     * size, or throws as {@code apply} would.
     *
     * @param imageHeight image height
     * @param imageWidth image width
     * @return the output {@code {H, W}}
     * @throws ImageLoadException if the policy refuses the size (source {@code "<image>"})
     */
    public int[] outputSize(int imageHeight, int imageWidth) throws ImageLoadException {
        switch (policy) {
            case RESIZE_CROP:
            case RESIZE:
                return new int[] {height, width};
            case PAD:
                checkAtLeastOnePatch(DEFAULT_SOURCE, imageHeight, imageWidth);
                return new int[] {roundUp(imageHeight), roundUp(imageWidth)};
            default:
                checkStrict(DEFAULT_SOURCE, imageHeight, imageWidth);
                return new int[] {imageHeight, imageWidth};
        }
    }

    /** Sizes and normalizes {@code chw} of shape {@code (C, h, w)}; never modifies it. */
    private PreprocessedImage process(float[] chw, int h, int w, String source) throws ImageLoadException {
        float[] out;
        int outH;
        int outW;
        switch (policy) {
            case RESIZE_CROP: {
                int[] scaled = scaledSize(h, w, source);
                // torchvision CenterCrop: int(round((h - H) / 2.0)); Python rounds half to even.
                int top = (int) Math.rint((scaled[0] - height) / 2.0);
                int left = (int) Math.rint((scaled[1] - width) / 2.0);
                out = Resizer.resizeWindow(chw, channels, h, w, scaled[0], scaled[1], top, left, height, width,
                        interpolation); // (C, H, W)
                outH = height;
                outW = width;
                normalization.applyInPlace(out, outH * outW);
                break;
            }
            case RESIZE:
                out = Resizer.resize(chw, channels, h, w, height, width, interpolation); // (C, H, W)
                outH = height;
                outW = width;
                normalization.applyInPlace(out, outH * outW);
                break;
            case PAD: {
                checkAtLeastOnePatch(source, h, w);
                outH = roundUp(h);
                outW = roundUp(w);
                float[] normalized = chw.clone();
                normalization.applyInPlace(normalized, h * w);
                // Zero padding of the normalized array, bottom and right (timm dynamic_img_pad).
                out = new float[channels * outH * outW]; // (C, outH, outW)
                for (int c = 0; c < channels; c++) {
                    for (int y = 0; y < h; y++) {
                        System.arraycopy(normalized, (c * h + y) * w, out, (c * outH + y) * outW, w);
                    }
                }
                break;
            }
            default:
                checkStrict(source, h, w);
                out = chw.clone();
                outH = h;
                outW = w;
                normalization.applyInPlace(out, outH * outW);
        }
        return new PreprocessedImage(out, channels, outH, outW);
    }

    /**
     * Size after the resize step of RESIZE_CROP: covers {@code floor(H / cropPct) x floor(W / cropPct)}
     * keeping the aspect ratio. Integer arithmetic equals torchvision's {@code int(s * long / short)}.
     */
    private int[] scaledSize(int h, int w, String source) throws ImageLoadException {
        int sH = (int) Math.floor(height / cropPct);
        int sW = (int) Math.floor(width / cropPct);
        long newH;
        long newW;
        if ((long) sH * w >= (long) sW * h) { // the height is the binding side
            newH = sH;
            newW = (long) w * sH / h;
        } else {
            newW = sW;
            newH = (long) h * sW / w;
        }
        if (newH > Integer.MAX_VALUE || newW > Integer.MAX_VALUE) {
            throw new ImageLoadException(source, "image " + h + "x" + w + " (HxW) is too elongated to scale to "
                    + newH + "x" + newW + " (policy: " + policy.cliName() + ")");
        }
        return new int[] {(int) newH, (int) newW};
    }

    private void checkAtLeastOnePatch(String source, int h, int w) throws ImageLoadException {
        if (h < patchSize || w < patchSize) {
            throw new ImageLoadException(source, "image " + h + "x" + w + " (HxW) is smaller than one "
                    + patchSize + "x" + patchSize + " patch (policy: " + policy.cliName() + ")");
        }
    }

    private void checkStrict(String source, int h, int w) throws ImageLoadException {
        checkAtLeastOnePatch(source, h, w);
        if (h % patchSize != 0) {
            throw new ImageLoadException(source, "image height " + h + " is not a multiple of patch size "
                    + patchSize + " (policy: " + policy.cliName() + ")");
        }
        if (w % patchSize != 0) {
            throw new ImageLoadException(source, "image width " + w + " is not a multiple of patch size "
                    + patchSize + " (policy: " + policy.cliName() + ")");
        }
    }

    private int roundUp(int side) {
        return (side + patchSize - 1) / patchSize * patchSize;
    }

    /**
     * Returns the target height {@code H}.
     *
     * @return the height set with {@link Builder#setImageSize}
     */
    public int getHeight() {
        return height;
    }

    /**
     * Returns the target width {@code W}.
     *
     * @return the width set with {@link Builder#setImageSize}
     */
    public int getWidth() {
        return width;
    }

    /**
     * Returns the patch size.
     *
     * @return the side of a square patch, in pixels
     */
    public int getPatchSize() {
        return patchSize;
    }

    /**
     * Returns the number of channels.
     *
     * @return 1 or 3
     */
    public int getChannels() {
        return channels;
    }

    /**
     * Returns the sizing policy.
     *
     * @return the policy
     */
    public SizingPolicy getPolicy() {
        return policy;
    }

    /**
     * Returns the crop fraction used by {@link SizingPolicy#RESIZE_CROP}.
     *
     * @return the crop fraction in {@code (0, 1]}
     */
    public double getCropPct() {
        return cropPct;
    }

    /**
     * Returns the resampling filter.
     *
     * @return the interpolation
     */
    public Interpolation getInterpolation() {
        return interpolation;
    }

    /**
     * Returns the normalization.
     *
     * @return the normalization (immutable)
     */
    public Normalization getNormalization() {
        return normalization;
    }

    @Override
    public String toString() {
        return "ImagePreprocessor{size=" + height + "x" + width + ", patchSize=" + patchSize + ", channels="
                + channels + ", policy=" + policy.cliName() + ", cropPct=" + cropPct + ", interpolation="
                + interpolation.cliName() + ", " + normalization + "}";
    }

    /** Builder for {@link ImagePreprocessor}; all checks happen in {@link #build()}. */
    public static final class Builder {

        private int height = -1;
        private int width = -1;
        private boolean sizeSet;
        private int patchSize = -1;
        private boolean patchSet;
        private int channels = 3;
        private SizingPolicy policy = SizingPolicy.RESIZE_CROP;
        private double cropPct = DEFAULT_CROP_PCT;
        private Interpolation interpolation = Interpolation.BICUBIC;
        private Normalization normalization;

        private Builder() {
        }

        /**
         * Sets the target size {@code (H, W)} (required); both must be multiples of the patch size.
         *
         * @param height {@code H >= 1}
         * @param width {@code W >= 1}
         * @return this builder
         */
        public Builder setImageSize(int height, int width) {
            this.height = height;
            this.width = width;
            this.sizeSet = true;
            return this;
        }

        /**
         * Sets the patch size (required).
         *
         * @param patchSize the side of a square patch, {@code >= 1}
         * @return this builder
         */
        public Builder setPatchSize(int patchSize) {
            this.patchSize = patchSize;
            this.patchSet = true;
            return this;
        }

        /**
         * Sets the number of channels; default 3.
         *
         * @param channels 1 or 3
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets the sizing policy; default {@link SizingPolicy#RESIZE_CROP}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder optPolicy(SizingPolicy policy) {
            this.policy = policy;
            return this;
        }

        /**
         * Sets the crop fraction of {@link SizingPolicy#RESIZE_CROP}; default {@link #DEFAULT_CROP_PCT}.
         *
         * @param cropPct in {@code (0, 1]}
         * @return this builder
         */
        public Builder optCropPct(double cropPct) {
            this.cropPct = cropPct;
            return this;
        }

        /**
         * Sets the resampling filter; default {@link Interpolation#BICUBIC} (timm's default).
         *
         * @param interpolation the filter
         * @return this builder
         */
        public Builder optInterpolation(Interpolation interpolation) {
            this.interpolation = interpolation;
            return this;
        }

        /**
         * Sets the normalization; default {@link Normalization#identity(int)} for the channel count.
         *
         * @param normalization statistics with {@code channels} entries
         * @return this builder
         */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /**
         * Validates the settings and builds the preprocessor.
         *
         * @return the preprocessor
         * @throws IllegalArgumentException naming the argument and its value if a setting is
         *     missing or out of range
         */
        public ImagePreprocessor build() {
            if (!sizeSet) {
                throw new IllegalArgumentException("image size is required: call setImageSize(height, width)");
            }
            if (!patchSet) {
                throw new IllegalArgumentException("patch size is required: call setPatchSize(patchSize)");
            }
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("image size must be positive, got height " + height
                        + " and width " + width);
            }
            if (patchSize < 1) {
                throw new IllegalArgumentException("patchSize must be >= 1, got " + patchSize);
            }
            if (height % patchSize != 0) {
                throw new IllegalArgumentException("image height " + height + " is not a multiple of patch size "
                        + patchSize);
            }
            if (width % patchSize != 0) {
                throw new IllegalArgumentException("image width " + width + " is not a multiple of patch size "
                        + patchSize);
            }
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            }
            if (policy == null) {
                throw new IllegalArgumentException("policy must not be null");
            }
            if (!(cropPct > 0 && cropPct <= 1)) {
                throw new IllegalArgumentException("cropPct must be in (0, 1], got " + cropPct);
            }
            if (interpolation == null) {
                throw new IllegalArgumentException("interpolation must not be null");
            }
            if (normalization == null) {
                normalization = Normalization.identity(channels);
            } else if (normalization.channels() != channels) {
                throw new IllegalArgumentException("normalization has " + normalization.channels()
                        + " channels but channels is " + channels);
            }
            return new ImagePreprocessor(this);
        }
    }
}
