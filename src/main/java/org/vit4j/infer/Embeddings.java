package org.vit4j.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.vit4j.Named;
import org.vit4j.Names;
import org.vit4j.model.VitModel;

/**
 * What a Vision Transformer gives as an image embedding, and computing it for a batch.
 *
 * <ul>
 *   <li>{@link Tokens#POOLED}: {@code (B, D)}, the head's input ({@link VitModel#pooled}; the same
 *       vectors as {@link VitClassifier#embed}).
 *   <li>{@link Tokens#PATCH}: {@code (B, N, D)}, the patch tokens after the encoder and its final
 *       norm, row-major patch order (with {@code fc_norm} the norm follows pooling, so these are
 *       un-normed, as timm's).
 *   <li>{@link Tokens#ALL}: {@code (B, T, D)}, timm's {@code forward_features}: prefix tokens (class,
 *       registers) first, then the patches ({@link VitModel#features}).
 * </ul>
 */
public final class Embeddings {

    /** Which tokens to return. */
    public enum Tokens implements Named {
        /** The pooled vector the head reads. */
        POOLED,
        /** The patch tokens after the encoder. */
        PATCH,
        /** Every token after the encoder, prefix first. */
        ALL;

        /**
         * Parses a {@link #cliName()}, ignoring case.
         *
         * @param s the name
         * @return the selection
         * @throws IllegalArgumentException naming the input and listing the valid names
         */
        public static Tokens fromName(String s) {
            return Names.parse(Tokens.class, "tokens", s);
        }
    }

    private Embeddings() {}

    /**
     * Computes the embedding of a batch in inference mode. Intermediate results live in a manager
     * of the call; only the result joins the images' manager.
     *
     * @param model the model
     * @param images {@code (B, C, H, W)}, normalized, H and W multiples of the patch size
     * @param tokens which tokens
     * @return {@code (B, D)}, {@code (B, N, D)} or {@code (B, T, D)} in {@code images.getManager()}
     */
    public static NDArray compute(VitModel model, NDArray images, Tokens tokens) {
        NDManager owner = images.getManager();
        try (NDManager m = model.newManager()) {
            images.tempAttach(m); // back to its owner when m closes
            NDArray out;
            if (tokens == Tokens.POOLED) {
                out = model.pooled(images); // (B, D)
            } else {
                out = model.features(images); // (B, T, D)
                if (tokens == Tokens.PATCH) {
                    out = out.get(":, {}:, :", model.getConfig().getPrefixTokens()); // (B, N, D)
                }
            }
            out.attach(owner);
            return out;
        }
    }
}
