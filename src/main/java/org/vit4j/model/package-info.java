/**
 * The Vision Transformer: one block per stage, composed by {@link org.vit4j.model.VisionTransformer}.
 *
 * <pre>
 *   images (B, C, H, W)
 *     → {@link org.vit4j.model.PatchEmbedding}        (B, N, D)   linear projection of flattened patches
 *     → [class token] + {@link org.vit4j.position.PositionEmbedding} + [registers]   (B, T, D)
 *     → depth × {@link org.vit4j.model.EncoderBlock}   (B, T, D)   pre-norm: LN → attention → +, LN → MLP → +
 *     → LayerNorm → pool (class token or mean)         (B, D)
 *     → head                                            (B, K)
 * </pre>
 *
 * A model is a {@link org.vit4j.model.ViTConfig} (one validated value; {@link
 * org.vit4j.model.Variant} holds the named sizes) plus weights; {@link org.vit4j.model.VitModel}
 * owns them and saves/loads a {@link org.vit4j.model.ModelDirectory}. {@link
 * org.vit4j.model.DeviceSetting} chooses CPU or GPU.
 */
package org.vit4j.model;
