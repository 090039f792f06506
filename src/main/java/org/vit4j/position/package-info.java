/**
 * Position embeddings: where each patch token sits in the grid.
 *
 * <p>Conventions: a {@code rows x cols} patch grid is flattened in row-major order, patch
 * {@code (y, x)} -> token {@code y*cols + x}; every table here has shape {@code (rows*cols, D)}
 * and covers patch tokens only; prefix tokens (class, registers) are the caller's.
 *
 * <p>The tables are pure functions, without DJL, each testable against golden files from the
 * reference code:
 * <ul>
 *   <li>{@link org.vit4j.position.PositionEmbeddingKind}: none, learned, sincos1d, sincos2d-mae,
 *       sincos2d-bigvision; {@link org.vit4j.position.SinCosLayout}: split or interleaved columns.
 *   <li>{@link org.vit4j.position.SinCos1d}: MAE {@code get_1d_sincos_pos_embed_from_grid},
 *       {@code omega_i = 1/10000^(i/(D/2))}.
 *   <li>{@link org.vit4j.position.SinCos2d}: MAE {@code get_2d_sincos_pos_embed}
 *       ({@code omega_i = 1/10000^(i/(D/4))}) and big_vision {@code posemb_sincos_2d}
 *       ({@code omega_i = 1/10000^(i/(D/4 - 1))}), columns {@code [sin x | cos x | sin y | cos y]}.
 *   <li>{@link org.vit4j.position.SinCosTables}: dispatch by kind.
 *   <li>{@link org.vit4j.position.Rope}: rotary angles per patch and rotation pair, timm's
 *       {@code RotaryEmbeddingCat} (axial), {@code RotaryEmbeddingMixed} (learned frequencies) and
 *       {@code RotaryEmbeddingDinoV3}; {@link org.vit4j.position.RopeLayout} (interleaved or half
 *       pairs) and {@link org.vit4j.position.RopeIndexing} (which axis first).
 *   <li>{@link org.vit4j.position.PosEmbedResampler}: bicubic resize of learned tables, as timm
 *       (antialiased) or Hugging Face (plain) do it.
 * </ul>
 * The DJL block ({@code PositionEmbedding}) caches one of these tables or holds the learned
 * parameter and adds it to the {@code (B, N, D)} patch tokens; {@code RotaryEmbedding} caches the
 * rotation for a grid (or computes it from the learned {@code rope.freqs}) and rotates queries and
 * keys inside attention.
 */
package org.vit4j.position;
