package org.vit4j.interop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vit4j.model.Architecture;
import org.vit4j.model.Pooling;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeIndexing;

/**
 * A timm architecture vit4j imports by the name in a hub {@code config.json}'s
 * {@code "architecture"}: the numbers of timm's {@code model_args} for that name (variants as data,
 * as timm's registry), and which of its two model classes names the tensors.
 *
 * @param name timm's architecture name, e.g. {@code vit_small_patch16_dinov3}
 * @param eva whether timm builds it as {@code timm.models.eva.Eva} ({@code gamma_1}, rope) rather than
 *     {@code VisionTransformer} ({@code ls1.gamma})
 * @param width {@code embed_dim}
 * @param depth blocks
 * @param heads {@code num_heads}
 * @param patch {@code patch_size}
 * @param imageSize the default {@code img_size} (the {@code pretrained_cfg} input size)
 * @param qkvBias {@code qkv_bias}
 * @param qvBias Eva attention with separate {@code q_bias}/{@code v_bias} (k's fixed at zero) rather
 *     than timm {@code AttentionRope}'s fused {@code qkv.bias}
 * @param layerScale {@code init_values}, 0 for no LayerScale
 * @param registers {@code reg_tokens} / {@code num_reg_tokens}
 * @param absPos whether a learned {@code pos_embed} exists
 * @param noEmbedClass {@code no_embed_class}: the table has no rows for class/register tokens
 * @param rope the rotary kind, or NONE
 * @param pooling {@code global_pool}
 * @param fcNorm {@code use_fc_norm}, or null for timm's default (on for avg pooling)
 * @param layerNormEps the LayerNorm epsilon
 * @param numClasses classes of the default head, 0 for a backbone
 */
record TimmArchitecture(String name, boolean eva, int width, int depth, int heads, int patch, int imageSize,
        boolean qkvBias, boolean qvBias, double layerScale, int registers, boolean absPos, boolean noEmbedClass,
        PositionEmbeddingKind rope, Pooling pooling, Boolean fcNorm, double layerNormEps, int numClasses) {

    private static final Map<String, TimmArchitecture> KNOWN = new LinkedHashMap<>();

    private static void vit(String name, int width, int depth, int heads, int patch, int image,
            double layerScale, int registers, boolean noEmbedClass, int classes) {
        add(new TimmArchitecture(name, false, width, depth, heads, patch, image, true, false, layerScale,
                registers, true, noEmbedClass, PositionEmbeddingKind.NONE, Pooling.CLS, null,
                Architecture.DEFAULT_LAYER_NORM_EPS, classes));
    }

    /** timm eva.py RoPE-ViT (Heo et al. 2024): AttentionRope, class token, LayerScale 1e-5, xy indexing. */
    private static void ropeVit(String name, int width, int depth, int heads, PositionEmbeddingKind rope,
            boolean ape) {
        add(new TimmArchitecture(name, true, width, depth, heads, 16, 224, true, false, 1e-5, 0, ape, ape, rope,
                Pooling.CLS, null, Architecture.DEFAULT_LAYER_NORM_EPS, 1000));
    }

    /** timm eva.py DINOv3: 4 registers, LayerScale 1e-5, eps 1e-5, avg pooling after the final norm. */
    private static void dinov3(String name, int width, int depth, int heads, boolean qkvBias) {
        add(new TimmArchitecture(name, true, width, depth, heads, 16, 256, qkvBias, true, 1e-5, 4, false, false,
                PositionEmbeddingKind.ROPE_DINOV3, Pooling.AVG, false, 1e-5, 0));
    }

    private static void add(TimmArchitecture a) {
        KNOWN.put(a.name(), a);
    }

    static {
        vit("vit_tiny_patch16_224", 192, 12, 3, 16, 224, 0, 0, false, 1000);
        vit("vit_small_patch16_224", 384, 12, 6, 16, 224, 0, 0, false, 1000);
        vit("vit_base_patch16_224", 768, 12, 12, 16, 224, 0, 0, false, 1000);
        vit("deit_tiny_patch16_224", 192, 12, 3, 16, 224, 0, 0, false, 1000);
        vit("deit_small_patch16_224", 384, 12, 6, 16, 224, 0, 0, false, 1000);
        vit("deit_base_patch16_224", 768, 12, 12, 16, 224, 0, 0, false, 1000);
        vit("vit_small_patch14_reg4_dinov2", 384, 12, 6, 14, 518, 1e-5, 4, true, 0);
        vit("vit_base_patch14_reg4_dinov2", 768, 12, 12, 14, 518, 1e-5, 4, true, 0);
        dinov3("vit_small_patch16_dinov3", 384, 12, 6, false);
        dinov3("vit_base_patch16_dinov3", 768, 12, 12, false);
        dinov3("vit_large_patch16_dinov3", 1024, 24, 16, false);
        dinov3("vit_small_patch16_dinov3_qkvb", 384, 12, 6, true);
        dinov3("vit_base_patch16_dinov3_qkvb", 768, 12, 12, true);
        dinov3("vit_large_patch16_dinov3_qkvb", 1024, 24, 16, true);
        ropeVit("vit_small_patch16_rope_224", 384, 12, 6, PositionEmbeddingKind.ROPE_AXIAL, false);
        ropeVit("vit_base_patch16_rope_224", 768, 12, 12, PositionEmbeddingKind.ROPE_AXIAL, false);
        ropeVit("vit_small_patch16_rope_mixed_224", 384, 12, 6, PositionEmbeddingKind.ROPE_MIXED, false);
        ropeVit("vit_base_patch16_rope_mixed_224", 768, 12, 12, PositionEmbeddingKind.ROPE_MIXED, false);
        ropeVit("vit_small_patch16_rope_mixed_ape_224", 384, 12, 6, PositionEmbeddingKind.ROPE_MIXED, true);
        ropeVit("vit_base_patch16_rope_mixed_ape_224", 768, 12, 12, PositionEmbeddingKind.ROPE_MIXED, true);
    }

    /** @return the names vit4j knows, in table order */
    static List<String> names() {
        return List.copyOf(KNOWN.keySet());
    }

    /**
     * Looks an architecture up.
     *
     * @param name timm's name (a {@code .tag} suffix such as {@code .lvd1689m} is ignored)
     * @return the architecture
     * @throws IllegalArgumentException naming the known architectures
     */
    static TimmArchitecture of(String name) {
        String base = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        TimmArchitecture a = KNOWN.get(base);
        if (a == null) {
            throw new IllegalArgumentException("unknown timm architecture '" + name + "'; known: "
                    + String.join(", ", KNOWN.keySet())
                    + " (for another plain ViT, import without --config and give --heads)");
        }
        return a;
    }

    /**
     * The tensor layout of this architecture, with the hub config's overrides.
     *
     * @param width {@code embed_dim} (from {@code model_args}, else this architecture's)
     * @param depth blocks
     * @param heads heads
     * @param patch patch size
     * @param rows the checkpoint's grid rows
     * @param cols the checkpoint's grid columns
     * @param classes head classes, 0 for none
     * @param pool the pooling the checkpoint uses
     * @return the layout
     */
    TimmLayout layout(int width, int depth, int heads, int patch, int rows, int cols, int classes, Pooling pool) {
        // timm: fc_norm defaults to on for avg pooling; Eva and VisionTransformer alike
        boolean fc = fcNorm != null ? fcNorm : pool == Pooling.AVG;
        boolean prefixPositions = absPos && !noEmbedClass;
        TimmLayout l = TimmLayout.of(width, 3, patch, depth, 4 * width, classes, true, registers, fc, qkvBias,
                prefixPositions, rows, cols);
        l.absPos = absPos;
        l.layerScaleNames = layerScale == 0 ? TimmLayout.LayerScaleNames.NONE
                : eva ? TimmLayout.LayerScaleNames.EVA : TimmLayout.LayerScaleNames.VIT;
        l.layerScaleInit = layerScale;
        l.qvBias = qvBias;
        l.rope = rope;
        if (rope.isRope()) {
            l.ropeTheta = rope.defaultRopeTheta(); // timm: RoPE-ViT axial 100, mixed 10, DINOv3 100
            l.ropeLayout = rope.defaultRopeLayout();
            l.ropeIndexing = rope == PositionEmbeddingKind.ROPE_DINOV3 ? RopeIndexing.IJ : RopeIndexing.XY;
        }
        l.heads = heads;
        l.pooling = pool;
        l.layerNormEps = layerNormEps;
        return l;
    }

    /** @return a one-line description for notes */
    String describe() {
        return name + " (" + (eva ? "timm Eva" : "timm VisionTransformer") + ", "
                + (rope.isRope() ? rope.cliName() + (absPos ? "+learned" : "") : "learned") + " positions"
                + (layerScale > 0 ? ", LayerScale" : "") + (registers > 0 ? ", " + registers + " registers" : "") + ")";
    }
}
