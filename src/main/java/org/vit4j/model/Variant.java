package org.vit4j.model;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * Named model sizes: data, not subclasses. The ImageNet sizes are timm's {@code
 * vit_tiny_patch16_224}, {@code vit_small_patch16_224} and {@code vit_base_patch16_224}.
 *
 * <p>{@link #FASHION} is sized to train on Fashion-MNIST on a laptop CPU: 28×28 grey images
 * upscaled to 128×128, so 16×16 patches make an 8×8 grid and every shuffle grid of the scrambling
 * experiment (2×2, 4×4, 8×8) cuts along patch borders. {@link #MICRO} is for tests.
 */
public enum Variant implements Named {
    /** ViT-Ti/16: width 192, depth 12, 3 heads, 224 px RGB, 1000 classes. */
    TINY(224, 3, 16, 192, 12, 3, Architecture.DEFAULT_MLP_RATIO, 1000),
    /** ViT-S/16: width 384, depth 12, 6 heads, 224 px RGB, 1000 classes. */
    SMALL(224, 3, 16, 384, 12, 6, Architecture.DEFAULT_MLP_RATIO, 1000),
    /** ViT-B/16: width 768, depth 12, 12 heads, 224 px RGB, 1000 classes. */
    BASE(224, 3, 16, 768, 12, 12, Architecture.DEFAULT_MLP_RATIO, 1000),
    /** Fashion-MNIST: width 96, depth 6, 4 heads, MLP ratio 2, 128 px grey, 10 classes. */
    FASHION(128, 1, 16, 96, 6, 4, 2.0, 10),
    /** The scrambling experiment: width 64, depth 4, 4 heads, MLP ratio 2, 128 px grey, 10 classes. */
    FASHION_SMALL(128, 1, 16, 64, 4, 4, 2.0, 10),
    /** A tiny model for tests: width 32, depth 2, 2 heads, 64 px grey, 10 classes. */
    MICRO(64, 1, 16, 32, 2, 2, 2.0, 10);

    private final int imageSize;
    private final int channels;
    private final int patchSize;
    private final int width;
    private final int depth;
    private final int heads;
    private final double mlpRatio;
    private final int numClasses;

    Variant(
            int imageSize,
            int channels,
            int patchSize,
            int width,
            int depth,
            int heads,
            double mlpRatio,
            int numClasses) {
        this.imageSize = imageSize;
        this.channels = channels;
        this.patchSize = patchSize;
        this.width = width;
        this.depth = depth;
        this.heads = heads;
        this.mlpRatio = mlpRatio;
        this.numClasses = numClasses;
    }

    /**
     * A builder preset with this variant's numbers; the RGB (ImageNet) variants get
     * {@link Preprocessing#TIMM} (timm's evaluation preprocessing of these models: bicubic, crop
     * 0.9, mean/std 0.5), the grey ones {@link Preprocessing#GREY} (an exact bilinear resize, mean
     * 0.5, std 0.5).
     *
     * @return a builder that can be changed further before {@code build()}
     */
    public ViTConfigBuilder toBuilder() {
        ViTConfigBuilder b =
                ViTConfig.builder()
                        .setImageSize(imageSize, imageSize)
                        .setPatchSize(patchSize)
                        .optChannels(channels)
                        .setWidth(width)
                        .setDepth(depth)
                        .setHeads(heads)
                        .optMlpRatio(mlpRatio)
                        .setNumClasses(numClasses);
        return b.optPreprocessing(channels == 1 ? Preprocessing.GREY : Preprocessing.TIMM);
    }

    /**
     * The builder vit4j trains this variant from ({@code vit4j train --config VARIANT}, the
     * experiment, the bundled model): {@link #toBuilder()} with average pooling over the patch
     * tokens and no class token.
     *
     * @return a builder that can be changed further before {@code build()}
     */
    public ViTConfigBuilder toTrainingBuilder() {
        return toBuilder().optPooling(Pooling.AVG).optClassToken(false);
    }

    /**
     * Parses a variant name.
     *
     * @param name one of the {@link #cliName()}s, case-insensitive
     * @return the variant
     * @throws IllegalArgumentException naming the valid values
     */
    public static Variant fromName(String name) {
        return Names.parse(Variant.class, "variant", name);
    }
}
