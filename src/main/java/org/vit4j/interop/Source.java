package org.vit4j.interop;

import java.util.Map;
import org.vit4j.Named;
import org.vit4j.Names;
import org.vit4j.model.Architecture;
import org.vit4j.model.Preprocessing;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;

/**
 * The checkpoint layouts {@link CheckpointImporter} reads, each with the LayerNorm epsilon and the
 * evaluation preprocessing its models are published with. Preprocessing is a default: a source
 * {@code config.json} ({@link CheckpointImporter.Builder#optSourceConfig}) or
 * {@link CheckpointImporter.Builder#optConfigOverrides} replace it.
 *
 * <table>
 *   <caption>Defaults per source</caption>
 *   <tr><th>source</th><th>preprocessing</th><th>LayerNorm eps</th></tr>
 *   <tr><td>timm</td><td>{@link Preprocessing#TIMM}</td><td>1e-6</td></tr>
 *   <tr><td>hf</td><td>{@link Preprocessing#HUGGING_FACE}</td><td>1e-12</td></tr>
 *   <tr><td>torchvision</td><td>{@link Preprocessing#TORCHVISION}</td><td>1e-6</td></tr>
 * </table>
 *
 * Weights published with other statistics (DeiT and some in1k-only timm weights use ImageNet
 * mean/std): read their {@code config.json} or override.
 */
public enum Source implements Named {
    /** timm {@code VisionTransformer} ({@code patch_embed.proj.*}, {@code blocks.N.attn.qkv.*}, …). */
    TIMM(Architecture.DEFAULT_LAYER_NORM_EPS, Preprocessing.TIMM),
    /** Hugging Face {@code ViTForImageClassification} / {@code ViTModel} ({@code vit.embeddings.*}, …). */
    HF(1e-12, Preprocessing.HUGGING_FACE),
    /** torchvision {@code VisionTransformer} ({@code conv_proj.*}, {@code encoder.layers.*}, …). */
    TORCHVISION(Architecture.DEFAULT_LAYER_NORM_EPS, Preprocessing.TORCHVISION);

    private final double layerNormEps;
    private final Preprocessing preprocessing;

    Source(double layerNormEps, Preprocessing preprocessing) {
        this.layerNormEps = layerNormEps;
        this.preprocessing = preprocessing;
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
    ViTConfigBuilder applyPreprocessing(ViTConfigBuilder b) {
        return b.optPreprocessing(preprocessing);
    }

    /**
     * Parses a source name.
     *
     * @param name {@code timm}, {@code hf} (or {@code huggingface}) or {@code torchvision}, any case
     * @return the source
     * @throws IllegalArgumentException naming the valid values
     */
    public static Source fromName(String name) {
        return Names.parse(Source.class, "checkpoint source", name, Map.of("huggingface", HF, "hugging-face", HF));
    }
}
