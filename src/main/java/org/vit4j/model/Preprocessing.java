package org.vit4j.model;

import org.vit4j.image.Interpolation;
import org.vit4j.image.Normalization;
import org.vit4j.image.SizingPolicy;

/**
 * How a picture becomes a model's input, as each family of reference code does it at evaluation:
 * sizing policy, resampling filter, crop ratio and mean/std. The one table of these presets, used
 * by the checkpoint sources ({@code org.vit4j.interop.Source}) and by the {@link Variant}s.
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>preset</th><th>sizing</th><th>interpolation</th><th>crop</th><th>mean / std</th></tr>
 *   <tr><td>TIMM</td><td>resize-crop</td><td>bicubic</td><td>0.9</td><td>0.5 / 0.5</td></tr>
 *   <tr><td>HUGGING_FACE</td><td>resize (exact)</td><td>bilinear</td><td>1.0</td><td>0.5 / 0.5</td></tr>
 *   <tr><td>TORCHVISION</td><td>resize-crop</td><td>bilinear</td><td>0.875</td><td>ImageNet</td></tr>
 *   <tr><td>GREY</td><td>resize (exact)</td><td>bilinear</td><td>(unused)</td><td>0.5 / 0.5, one channel</td></tr>
 * </table>
 */
public enum Preprocessing {
    /**
     * timm {@code vision_transformer._cfg} ({@code crop_pct=.9, interpolation='bicubic',
     * mean=std=IMAGENET_INCEPTION_*}), which the original Google and augreg ViTs
     * ({@code vit_base_patch16_224.augreg2_in21k_ft_in1k}, …) use. DeiT and some in1k-only weights
     * use ImageNet mean/std instead.
     */
    TIMM(SizingPolicy.RESIZE_CROP, Interpolation.BICUBIC, 0.9, Normalization.INCEPTION),
    /**
     * Hugging Face {@code ViTImageProcessor} defaults: {@code do_resize} to exactly the model's size
     * with {@code PILImageResampling.BILINEAR}, no crop, {@code image_mean=image_std=[0.5, 0.5, 0.5]}.
     */
    HUGGING_FACE(SizingPolicy.RESIZE, Interpolation.BILINEAR, 1.0, Normalization.INCEPTION),
    /**
     * torchvision {@code ViT_B_16_Weights.IMAGENET1K_V1.transforms()}: resize the short side to 256
     * (bilinear), center crop 224 (crop ratio 224/256 = 0.875), ImageNet mean/std.
     */
    TORCHVISION(SizingPolicy.RESIZE_CROP, Interpolation.BILINEAR, 0.875, Normalization.IMAGENET),
    /**
     * Grey pictures the size of Fashion-MNIST's, resized exactly (28×28 to the model's size, no
     * crop; the crop ratio is left at the config's default, which {@code resize} does not use),
     * bilinear, mean 0.5, std 0.5.
     */
    GREY(SizingPolicy.RESIZE, Interpolation.BILINEAR, Double.NaN,
            Normalization.of(new float[] {0.5f}, new float[] {0.5f}));

    private final SizingPolicy sizing;
    private final Interpolation interpolation;
    private final double cropPct;
    private final Normalization normalization;

    Preprocessing(SizingPolicy sizing, Interpolation interpolation, double cropPct,
            Normalization normalization) {
        this.sizing = sizing;
        this.interpolation = interpolation;
        this.cropPct = cropPct;
        this.normalization = normalization;
    }

    /**
     * Sets this preset on a config builder: sizing, interpolation, crop ratio (unless the preset
     * leaves it) and mean/std.
     *
     * @param b the builder
     * @return {@code b}
     */
    public ViTConfig.Builder applyTo(ViTConfig.Builder b) {
        b.optSizing(sizing)
                .optInterpolation(interpolation.cliName())
                .optNormalization(normalization.mean(), normalization.std());
        if (!Double.isNaN(cropPct)) {
            b.optCropPct(cropPct);
        }
        return b;
    }
}
