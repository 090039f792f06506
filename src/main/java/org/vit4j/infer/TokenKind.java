package org.vit4j.infer;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * The three things a Vision Transformer gives for an image, named as timm names them; the library
 * ({@link VitEncoder}), {@code vit4j embed --tokens} and the Spark columns use these names and no
 * others. {@code D} is the model width, {@code N = (H / P)·(W / P)} the patch tokens in row-major
 * patch order, {@code c + R} the prefix (class token, registers).
 *
 * <ul>
 *   <li>{@link #EMBEDDED}: the tokens the encoder reads, {@code (T, D)}: the patch embeddings (the
 *       patch projection alone, timm's {@code patch_embed}) with the absolute position embedding
 *       added, if the model has one (rotary positions act inside attention); timm's {@code
 *       patch_embed} and {@code _pos_embed}. Named {@code patch-embeddings} before vit4j said
 *       "patch embeddings" for the projection alone only; that name is refused with a pointer here.
 *   <li>{@link #ENCODED}: tokens after the encoder blocks and the final norm, {@code (T, D)}
 *       (timm's {@code forward_features}; with {@code fc_norm} the norm follows pooling, so these are
 *       un-normed, as timm's).
 *   <li>{@link #POOLED}: the vector the head reads, {@code (D)} (timm's {@code
 *       forward_head(pre_logits=True)}; {@link Classification#pooled()}).
 * </ul>
 *
 * For the token kinds {@code T = N}, or {@code T = c + R + N} with the prefix kept (prefix first).
 */
public enum TokenKind implements Named {
    /** The tokens the encoder reads: patch embeddings plus position embedding, {@code (T, D)}; {@code embedded}. */
    EMBEDDED,
    /** Tokens after the encoder and its final norm, {@code (T, D)}; {@code encoded}. */
    ENCODED,
    /** The pooled vector the head reads, {@code (D)}; {@code pooled}. */
    POOLED;

    /** @return whether the result has a token axis ({@code (T, D)}) rather than one vector {@code (D)} */
    public boolean isTokens() {
        return this != POOLED;
    }

    /**
     * Parses a {@link #cliName()} ({@code embedded}, {@code encoded}, {@code pooled}), ignoring
     * case.
     *
     * @param s the name
     * @return the kind
     * @throws IllegalArgumentException naming the input and listing the valid names; for the former
     *     name {@code patch-embeddings}, naming its new one
     */
    public static TokenKind fromName(String s) {
        if (s != null && Names.of(s.trim()).equals(FORMER_EMBEDDED)) {
            throw new IllegalArgumentException("tokens '" + s + "' is now called 'embedded' (the tokens the"
                    + " encoder reads; patch embeddings are the patch projection alone)");
        }
        return Names.parse(TokenKind.class, "tokens", s);
    }

    /** The former name of {@link #EMBEDDED}, refused with a pointer to the new one. */
    private static final String FORMER_EMBEDDED = "patch-embeddings";
}
