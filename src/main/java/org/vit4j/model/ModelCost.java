package org.vit4j.model;

import org.vit4j.position.PositionEmbeddingKind;

/** What a {@link ViTConfig}'s network costs: parameters and floating-point operations per image. */
public final class ModelCost {

    private ModelCost() {}

    /**
     * Parameter count of the model a config describes (weights, biases, tokens, tables).
     *
     * @param c the config
     * @return the number of trainable scalars
     */
    public static long parameters(ViTConfig c) {
        long d = c.getWidth();
        long hidden = c.getMlpHidden();
        long n = c.getGrid().size();
        long p = (long) c.getPatchDim() * d + d; // patch projection
        p += (c.hasClassToken() ? d : 0) + c.getRegisterTokens() * d;
        if (c.getPosEmb() == PositionEmbeddingKind.LEARNED) {
            p += (n + (c.hasClassToken() ? 1 : 0)) * d;
        }
        if (c.getRope() == PositionEmbeddingKind.ROPE_MIXED) {
            p += 2L * c.getDepth() * d / 2; // rope.freqs (2, depth, H, D/H/2)
        }
        long block = 2 * 2 * d; // two LayerNorms
        block += c.getLayerScale() > 0 ? 2 * d : 0; // ls1, ls2
        block += 3 * d * d + (c.hasQkvBias() ? 3 * d : 0) + d * d + d; // qkv + proj
        block += d * hidden + hidden + hidden * d + d; // MLP
        p += c.getDepth() * block;
        p += 2 * d; // final norm
        p += d * c.getNumClasses() + c.getNumClasses(); // head
        return p;
    }

    /**
     * Floating-point operations of one forward pass at the configured image size, counting a
     * multiply-add as 2 FLOPs (so ViT-Ti/16 at 224 is about 2.5 GFLOP): patch projection, qkv,
     * attention scores and weighted sum, output projection, MLP and head; norms and softmax are
     * left out.
     *
     * @param c the config
     * @return floating-point operations per image
     */
    public static long flopsPerImage(ViTConfig c) {
        long d = c.getWidth();
        long n = c.getGrid().size();
        long t = n + c.getPrefixTokens();
        long macs = n * c.getPatchDim() * d; // patch projection
        long perBlock = t * (3 * d * d + d * d + 2 * d * c.getMlpHidden()) + 2 * t * t * d;
        macs += c.getDepth() * perBlock;
        macs += d * c.getNumClasses();
        return 2 * macs;
    }
}
