/**
 * The Vision Transformer: one block per stage, composed by {@link org.vit4j.model.VisionTransformer}.
 *
 * <pre>
 *   images (B, C, H, W)
 *     → {@link org.vit4j.model.PatchEmbedding}        (B, N, D)   linear projection of flattened patches
 *     → [class token] + {@link org.vit4j.position.PositionEmbedding} + [registers]   (B, T, D)
 *     → depth × {@link org.vit4j.model.EncoderBlock}   (B, T, D)   pre-norm: LN → attention → [LayerScale] → +, LN → MLP → [LayerScale] → +
 *     → LayerNorm → pool (class token or mean)         (B, D)
 *     → head                                            (B, K)
 * </pre>
 *
 * With a rotary position embedding ({@link org.vit4j.position.RotaryEmbedding}) every block's
 * {@link org.vit4j.model.Attention} also turns the patch tokens' queries and keys (the prefix tokens
 * pass unrotated); {@link org.vit4j.model.LayerScale} is timm's per-channel branch factor.
 *
 * A model is a {@link org.vit4j.model.ViTConfig} (one validated value: its {@link
 * org.vit4j.model.Preprocessing}, its {@link org.vit4j.model.Architecture} and the training rates;
 * {@link org.vit4j.model.Variant} holds the named sizes) plus weights; {@link org.vit4j.model.VitModel}
 * owns them and saves/loads a {@link org.vit4j.model.ModelDirectory}. {@link
 * org.vit4j.model.DeviceSetting} chooses CPU or GPU.
 */
package org.vit4j.model;
