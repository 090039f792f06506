package org.vit4j.interop;

import java.util.Map;
import org.vit4j.Names;
import org.vit4j.image.Interpolation;
import org.vit4j.image.Normalization;
import org.vit4j.image.SizingPolicy;
import org.vit4j.model.ViTConfig;

/**
 * The checkpoint layouts {@link CheckpointImporter} reads, each with the LayerNorm epsilon and the
 * evaluation preprocessing its models are published with. Preprocessing is a default: a source
 * {@code config.json} ({@link CheckpointImporter.Builder#optSourceConfig}) or
 * {@link CheckpointImporter.Builder#optConfigOverrides} replace it.
 *
 * <table>
 *   <caption>Defaults per source</caption>
 *   <tr><th>source</th><th>sizing</th><th>interpolation</th><th>crop</th><th>mean / std</th><th>LayerNorm eps</th></tr>
 *   <tr><td>timm</td><td>resize-crop</td><td>bicubic</td><td>0.9</td><td>0.5 / 0.5</td><td>1e-6</td></tr>
 *   <tr><td>hf</td><td>resize (exact)</td><td>bilinear</td><td>1.0</td><td>0.5 / 0.5</td><td>1e-12</td></tr>
 *   <tr><td>torchvision</td><td>resize-crop</td><td>bilinear</td><td>0.875</td><td>ImageNet</td><td>1e-6</td></tr>
 * </table>
 *
 * <ul>
 *   <li>timm: {@code vision_transformer._cfg} ({@code crop_pct=.9, interpolation='bicubic',
 *       mean=std=IMAGENET_INCEPTION_*}), which the original Google and augreg ViTs
 *       ({@code vit_base_patch16_224.augreg2_in21k_ft_in1k}, …) use. DeiT and some in1k-only
 *       weights use ImageNet mean/std instead: read their {@code config.json} or override.
 *   <li>Hugging Face: {@code ViTImageProcessor} defaults: {@code do_resize} to exactly 224×224 with
 *       {@code PILImageResampling.BILINEAR}, no crop, {@code image_mean=image_std=[0.5, 0.5, 0.5]}.
 *   <li>torchvision: {@code ViT_B_16_Weights.IMAGENET1K_V1.transforms()}: resize the short side to
 *       256 (bilinear), center crop 224 (crop ratio 224/256 = 0.875), ImageNet mean/std.
 * </ul>
 */
public enum Source {
    /** timm {@code VisionTransformer} ({@code patch_embed.proj.*}, {@code blocks.N.attn.qkv.*}, …). */
    TIMM("timm", 1e-6, SizingPolicy.RESIZE_CROP, Interpolation.BICUBIC, 0.9, Normalization.INCEPTION),
    /** Hugging Face {@code ViTForImageClassification} / {@code ViTModel} ({@code vit.embeddings.*}, …). */
    HF("hf", 1e-12, SizingPolicy.RESIZE, Interpolation.BILINEAR, 1.0, Normalization.INCEPTION),
    /** torchvision {@code VisionTransformer} ({@code conv_proj.*}, {@code encoder.layers.*}, …). */
    TORCHVISION("torchvision", 1e-6, SizingPolicy.RESIZE_CROP, Interpolation.BILINEAR, 0.875,
            Normalization.IMAGENET);

    private final String cliName;
    private final double layerNormEps;
    private final SizingPolicy sizing;
    private final Interpolation interpolation;
    private final double cropPct;
    private final Normalization normalization;

    Source(String cliName, double layerNormEps, SizingPolicy sizing, Interpolation interpolation,
            double cropPct, Normalization normalization) {
        this.cliName = cliName;
        this.layerNormEps = layerNormEps;
        this.sizing = sizing;
        this.interpolation = interpolation;
        this.cropPct = cropPct;
        this.normalization = normalization;
    }

    /** @return the name used on the command line: {@code timm}, {@code hf} or {@code torchvision} */
    public String cliName() {
        return cliName;
    }

    /** @return the LayerNorm epsilon of the source's ViT (timm, torchvision 1e-6; Hugging Face 1e-12) */
    public double layerNormEps() {
        return layerNormEps;
    }

    /**
     * Sets this source's default preprocessing on a config builder.
     *
     * @param b the builder
     * @return {@code b}
     */
    ViTConfig.Builder applyPreprocessing(ViTConfig.Builder b) {
        return b.optSizing(sizing)
                .optInterpolation(interpolation.cliName())
                .optCropPct(cropPct)
                .optNormalization(normalization.mean(), normalization.std());
    }

    /**
     * Parses a source name.
     *
     * @param name {@code timm}, {@code hf} (or {@code huggingface}) or {@code torchvision}, any case
     * @return the source
     * @throws IllegalArgumentException naming the valid values
     */
    public static Source fromName(String name) {
        return Names.parse(values(), Source::cliName, "checkpoint source", name, Map.of("huggingface", HF, "hugging-face", HF));
    }
}
