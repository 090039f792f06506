package org.vit4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.Interpolation;
import org.vit4j.image.Normalization;
import org.vit4j.image.SizingPolicy;

/**
 * How a picture becomes a model's input: the second half of a {@link ViTConfig}, kept apart from
 * the {@link Architecture} as timm keeps a model's pretrained data config apart from its
 * constructor arguments. The target size and the channel count are the architecture's; this record
 * holds the rest. {@link ViTConfig#preprocessor()} joins the two into an {@link ImagePreprocessor}.
 *
 * <p>The presets are how each family of reference code evaluates its models; the checkpoint sources
 * ({@code org.vit4j.interop.Source}) and the {@link Variant}s use them:
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>preset</th><th>sizing</th><th>interpolation</th><th>crop</th><th>mean / std</th></tr>
 *   <tr><td>{@link #TIMM}</td><td>resize-crop</td><td>bicubic</td><td>0.9</td><td>0.5 / 0.5</td></tr>
 *   <tr><td>{@link #HUGGING_FACE}</td><td>resize (exact)</td><td>bilinear</td><td>1.0</td><td>0.5 / 0.5</td></tr>
 *   <tr><td>{@link #TORCHVISION}</td><td>resize-crop</td><td>bilinear</td><td>0.875</td><td>ImageNet</td></tr>
 *   <tr><td>{@link #GREY}</td><td>resize (exact)</td><td>bilinear</td><td>(unused)</td><td>0.5 / 0.5, one channel</td></tr>
 * </table>
 *
 * @param sizing the sizing policy for input pictures; {@code resize-crop} by default
 * @param interpolation the resampling filter; {@code bicubic} by default (timm's)
 * @param cropPct the center-crop ratio of {@link SizingPolicy#RESIZE_CROP}, in {@code (0, 1]};
 *     {@link ImagePreprocessor#DEFAULT_CROP_PCT} by default
 * @param mean per-channel normalization mean (unmodifiable); {@code null} together with
 *     {@code std} for none, which {@link ViTConfig} turns into mean 0, std 1 for its channels
 * @param std per-channel normalization standard deviation, each above 0 (unmodifiable)
 */
public record Preprocessing(
        SizingPolicy sizing, Interpolation interpolation, double cropPct, List<Float> mean, List<Float> std) {

    /** No normalization, bicubic {@code resize-crop} at the default crop ratio: a builder's start. */
    public static final Preprocessing DEFAULT = new Preprocessing(SizingPolicy.RESIZE_CROP,
            Interpolation.BICUBIC, ImagePreprocessor.DEFAULT_CROP_PCT, null, null);

    /**
     * timm {@code vision_transformer._cfg} ({@code crop_pct=.9, interpolation='bicubic',
     * mean=std=IMAGENET_INCEPTION_*}), which the original Google and augreg ViTs
     * ({@code vit_base_patch16_224.augreg2_in21k_ft_in1k}, …) use. DeiT and some in1k-only weights
     * use ImageNet mean/std instead.
     */
    public static final Preprocessing TIMM =
            of(SizingPolicy.RESIZE_CROP, Interpolation.BICUBIC, 0.9, Normalization.INCEPTION);

    /**
     * Hugging Face {@code ViTImageProcessor} defaults: {@code do_resize} to exactly the model's size
     * with {@code PILImageResampling.BILINEAR}, no crop, {@code image_mean=image_std=[0.5, 0.5, 0.5]}.
     */
    public static final Preprocessing HUGGING_FACE =
            of(SizingPolicy.RESIZE, Interpolation.BILINEAR, 1.0, Normalization.INCEPTION);

    /**
     * torchvision {@code ViT_B_16_Weights.IMAGENET1K_V1.transforms()}: resize the short side to 256
     * (bilinear), center crop 224, ImageNet mean/std.
     */
    public static final Preprocessing TORCHVISION =
            of(SizingPolicy.RESIZE_CROP, Interpolation.BILINEAR, 224.0 / 256, Normalization.IMAGENET);

    /**
     * Grey pictures the size of Fashion-MNIST's, resized exactly (28×28 to the model's size; the
     * crop ratio, which {@code resize} does not use, is the default), bilinear, mean 0.5, std 0.5.
     */
    public static final Preprocessing GREY = of(SizingPolicy.RESIZE, Interpolation.BILINEAR,
            ImagePreprocessor.DEFAULT_CROP_PCT, Normalization.of(new float[] {0.5f}, new float[] {0.5f}));

    /**
     * Checks the values; the lists are copied.
     * The parameters are the components, documented on the record.
     *
     * @param sizing {@link #sizing()}
     * @param interpolation {@link #interpolation()}
     * @param cropPct {@link #cropPct()}
     * @param mean {@link #mean()}
     * @param std {@link #std()}
     * @throws IllegalArgumentException naming the first invalid setting and its value
     */
    public Preprocessing {
        Objects.requireNonNull(sizing, "sizing");
        Objects.requireNonNull(interpolation, "interpolation");
        Architecture.check(cropPct > 0 && cropPct <= 1, "cropPct must be in (0, 1], got " + cropPct);
        if (mean != null || std != null) {
            Architecture.check(mean != null && std != null, "mean and std must be given together");
            Architecture.check(mean.size() == std.size(),
                    "mean has " + mean.size() + " values and std " + std.size());
            for (float s : std) {
                Architecture.check(s > 0, "std values must be positive, got " + std);
            }
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }
    }

    private static Preprocessing of(SizingPolicy sizing, Interpolation interpolation, double cropPct,
            Normalization n) {
        return new Preprocessing(sizing, interpolation, cropPct, boxed(n.mean()), boxed(n.std()));
    }

    /**
     * This preprocessing with another normalization.
     *
     * @param mean per-channel mean, or null together with {@code std} for none
     * @param std per-channel standard deviation
     * @return the changed copy
     */
    public Preprocessing withNormalization(float[] mean, float[] std) {
        return new Preprocessing(sizing, interpolation, cropPct, mean == null ? null : boxed(mean),
                std == null ? null : boxed(std));
    }

    /** @return {@link #mean()} as a new array, or null if none is set */
    public float[] meanArray() {
        return mean == null ? null : unboxed(mean);
    }

    /** @return {@link #std()} as a new array, or null if none is set */
    public float[] stdArray() {
        return std == null ? null : unboxed(std);
    }

    /** @return the mean and std as a {@link Normalization}, or null if none is set */
    public Normalization normalization() {
        return mean == null ? null : Normalization.of(meanArray(), stdArray());
    }

    static List<Float> boxed(float[] a) {
        List<Float> l = new ArrayList<>(a.length);
        for (float v : a) {
            l.add(v);
        }
        return l;
    }

    private static float[] unboxed(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }
}
