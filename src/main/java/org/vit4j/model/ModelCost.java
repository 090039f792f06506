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
        Architecture a = c.architecture();
        long d = a.width();
        long hidden = a.mlpHidden();
        long n = a.grid().size();
        long p = (long) a.patchDim() * d + d; // patch projection
        p += (a.classToken() ? d : 0) + a.registerTokens() * d;
        if (a.posEmb() == PositionEmbeddingKind.LEARNED) {
            p += (n + (a.classToken() ? 1 : 0)) * d;
        }
        if (a.rope() == PositionEmbeddingKind.ROPE_MIXED) {
            p += 2L * a.depth() * d / 2; // rope.freqs (2, depth, H, D/H/2)
        }
        long block = 2 * 2 * d; // two LayerNorms
        block += a.layerScale() > 0 ? 2 * d : 0; // ls1, ls2
        block += 3 * d * d + (a.qkvBias() ? 3 * d : 0) + d * d + d; // qkv + proj
        block += d * hidden + hidden + hidden * d + d; // MLP
        p += a.depth() * block;
        p += 2 * d; // final norm
        p += d * a.numClasses() + a.numClasses(); // head
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
        Architecture a = c.architecture();
        long d = a.width();
        long n = a.grid().size();
        long t = n + a.prefixTokens();
        long macs = n * a.patchDim() * d; // patch projection
        long perBlock = t * (3 * d * d + d * d + 2 * d * a.mlpHidden()) + 2 * t * t * d;
        macs += a.depth() * perBlock;
        macs += d * a.numClasses();
        return 2 * macs;
    }
}
