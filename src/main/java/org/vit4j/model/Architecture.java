package org.vit4j.model;

import java.util.Objects;
import org.vit4j.patch.PatchGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * The network of a {@link ViTConfig}: everything that decides its parameters and what its forward
 * computes. Two configs with equal architectures take each other's weights.
 *
 * <p>Image {@code (C, H, W)} cut into {@code P×P} patches, projected to width {@code D}, a class
 * token and {@code R} register tokens optionally prepended, a position embedding added,
 * {@code depth} pre-norm encoder blocks with {@code heads} heads and an MLP of {@code mlpRatio·D},
 * a final LayerNorm, pooling, and a linear head to {@code numClasses}. Optionally a rotary position
 * embedding turns every block's patch queries and keys ({@link #rope()}, alone or beside the
 * absolute {@link #posEmb()}), and LayerScale multiplies both residual branches
 * ({@link #layerScale()}).
 *
 * <p>The components are documented here once; {@link ViTConfigBuilder} sets them with these
 * defaults, and the canonical constructor runs every check, so no invalid architecture exists.
 *
 * @param imageHeight input height {@code H} in pixels, a multiple of {@code patchSize}
 * @param imageWidth input width {@code W} in pixels, a multiple of {@code patchSize}
 * @param channels channels {@code C}: 1 (grey) or 3 (RGB, the default)
 * @param patchSize patch side {@code P} in pixels
 * @param width the embedding width {@code D}
 * @param depth the number of encoder blocks
 * @param heads attention heads per block; they divide {@code width}
 * @param mlpRatio MLP hidden width divided by {@code D}; {@value #DEFAULT_MLP_RATIO} by default
 * @param numClasses output classes {@code K}
 * @param pooling the pooling; {@code cls} by default
 * @param classToken whether a class token is prepended; by default iff the pooling is {@code cls}
 * @param registerTokens register tokens prepended after the class token (no position embedding);
 *     0 by default
 * @param fcNorm whether the final LayerNorm is applied after pooling (timm's {@code fc_norm})
 *     instead of to every token before pooling; false by default
 * @param qkvBias whether the qkv projection has a bias; true by default
 * @param keyBias whether the key projection has a bias too (true, the default, for timm's
 *     {@code VisionTransformer}; false for timm's {@code Eva} family: DINOv3 with q/v bias, EVA-02,
 *     BEiT)
 * @param posEmb the absolute position embedding kind, added before the encoder ({@code none} with
 *     RoPE only); {@code learned} by default
 * @param posEmbLayout the column layout of sinusoidal tables; {@code split} by default
 * @param rope the rotary position embedding kind, or {@link PositionEmbeddingKind#NONE} (the
 *     default)
 * @param ropeLayout the rotary pair layout; {@code null} in the constructor for the kind's default
 *     (always {@link RopeLayout#INTERLEAVED} without {@code rope})
 * @param ropeIndexing the rotary axis order; {@code null} in the constructor for the kind's default
 *     (always {@link RopeIndexing#XY} without {@code rope})
 * @param ropeTheta the rotary temperature, above 1; {@code NaN} in the constructor for the kind's
 *     default (always 0 without {@code rope})
 * @param positionScaling where sin-cos tables and rotary angles put the patches of a grid other than
 *     the configured one (images of another size): {@code extrapolate} (the default: the grid's own
 *     integer coordinates) or {@code interpolate} (scaled into the configured grid's range), see
 *     {@link PositionScaling}; {@code null} in the constructor for the default
 * @param layerScale the initial LayerScale factor of both residual branches, 0 (the default) for
 *     none
 * @param layerNormEps LayerNorm epsilon; {@value #DEFAULT_LAYER_NORM_EPS} by default (timm's and
 *     torchvision's; Hugging Face uses 1e-12)
 */
public record Architecture(
        int imageHeight,
        int imageWidth,
        int channels,
        int patchSize,
        int width,
        int depth,
        int heads,
        double mlpRatio,
        int numClasses,
        Pooling pooling,
        boolean classToken,
        int registerTokens,
        boolean fcNorm,
        boolean qkvBias,
        boolean keyBias,
        PositionEmbeddingKind posEmb,
        SinCosLayout posEmbLayout,
        PositionEmbeddingKind rope,
        RopeLayout ropeLayout,
        RopeIndexing ropeIndexing,
        double ropeTheta,
        PositionScaling positionScaling,
        double layerScale,
        double layerNormEps) {

    /** The MLP ratio of every ViT size in the paper and in timm. */
    public static final double DEFAULT_MLP_RATIO = 4.0;
    /** The LayerNorm epsilon of timm's and torchvision's ViTs. */
    public static final double DEFAULT_LAYER_NORM_EPS = 1e-6;

    /**
     * Checks the values and fills the rotary defaults documented on the components.
     * The parameters are the components, documented on the record.
     *
     * @param imageHeight {@link #imageHeight()}
     * @param imageWidth {@link #imageWidth()}
     * @param channels {@link #channels()}
     * @param patchSize {@link #patchSize()}
     * @param width {@link #width()}
     * @param depth {@link #depth()}
     * @param heads {@link #heads()}
     * @param mlpRatio {@link #mlpRatio()}
     * @param numClasses {@link #numClasses()}
     * @param pooling {@link #pooling()}
     * @param classToken {@link #classToken()}
     * @param registerTokens {@link #registerTokens()}
     * @param fcNorm {@link #fcNorm()}
     * @param qkvBias {@link #qkvBias()}
     * @param keyBias {@link #keyBias()}
     * @param posEmb {@link #posEmb()}
     * @param posEmbLayout {@link #posEmbLayout()}
     * @param rope {@link #rope()}
     * @param ropeLayout {@link #ropeLayout()}
     * @param ropeIndexing {@link #ropeIndexing()}
     * @param ropeTheta {@link #ropeTheta()}
     * @param positionScaling {@link #positionScaling()}
     * @param layerScale {@link #layerScale()}
     * @param layerNormEps {@link #layerNormEps()}
     * @throws IllegalArgumentException naming the first invalid setting and its value
     */
    public Architecture {
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(posEmb, "posEmb");
        Objects.requireNonNull(posEmbLayout, "posEmbLayout");
        Objects.requireNonNull(rope, "rope");
        check(patchSize > 0, "patchSize must be positive, got " + patchSize);
        check(imageHeight >= patchSize && imageWidth >= patchSize,
                "image size " + imageHeight + "x" + imageWidth
                        + " is smaller than one patch of " + patchSize);
        check(imageHeight % patchSize == 0,
                "imageHeight " + imageHeight + " is not a multiple of patchSize " + patchSize);
        check(imageWidth % patchSize == 0,
                "imageWidth " + imageWidth + " is not a multiple of patchSize " + patchSize);
        check(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
        check(width > 0, "width must be positive, got " + width);
        check(depth > 0, "depth must be positive, got " + depth);
        check(heads > 0, "heads must be positive, got " + heads);
        check(width % heads == 0, "width " + width + " is not divisible by heads " + heads);
        check(mlpRatio > 0 && Double.isFinite(mlpRatio), "mlpRatio must be positive, got " + mlpRatio);
        check(numClasses > 0, "numClasses must be positive, got " + numClasses);
        check(registerTokens >= 0, "registerTokens must be >= 0, got " + registerTokens);
        check(pooling != Pooling.CLS || classToken, "pooling 'cls' needs classToken=true");
        check(layerNormEps > 0 && Double.isFinite(layerNormEps), "layerNormEps must be positive and finite, got " + layerNormEps);
        if (posEmb == PositionEmbeddingKind.SINCOS1D) {
            check(width % 2 == 0, "sincos1d needs an even width, got " + width);
        } else if (posEmb.isSinCos()) {
            check(width % 4 == 0, posEmb.cliName() + " needs a width divisible by 4, got " + width);
        }
        check(!posEmb.isRope(), "posEmb must be an absolute kind, got " + posEmb.cliName() + "; use rope");
        check(rope == PositionEmbeddingKind.NONE || rope.isRope(),
                "rope must be a rotary kind or none, got " + rope.cliName());
        if (rope.isRope()) {
            check((width / heads) % 4 == 0, rope.cliName() + " needs a head width divisible by 4, got "
                    + width + "/" + heads + " = " + (double) width / heads);
            check(Double.isNaN(ropeTheta) || ropeTheta > 1 && Double.isFinite(ropeTheta),
                    "ropeTheta must be > 1, got " + ropeTheta);
            check(rope != PositionEmbeddingKind.ROPE_DINOV3 || ropeIndexing == null || ropeIndexing == RopeIndexing.IJ,
                    "rope-dinov3 takes coordinates row first (ropeIndexing ij), got " + ropeIndexing);
        }
        check(qkvBias || keyBias, "keyBias=false needs qkvBias=true");
        check(layerScale >= 0 && Double.isFinite(layerScale), "layerScale must be >= 0, got " + layerScale);
        boolean r = rope.isRope();
        ropeLayout = r && ropeLayout != null ? ropeLayout : r ? rope.defaultRopeLayout() : RopeLayout.INTERLEAVED;
        ropeIndexing = r && ropeIndexing != null ? ropeIndexing : r ? rope.defaultRopeIndexing() : RopeIndexing.XY;
        ropeTheta = r && !Double.isNaN(ropeTheta) ? ropeTheta : r ? rope.defaultRopeTheta() : 0;
        positionScaling = positionScaling == null ? PositionScaling.EXTRAPOLATE : positionScaling;
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** @return the patch grid of the configured image size */
    public PatchGrid grid() {
        return PatchGrid.of(imageHeight, imageWidth, patchSize);
    }

    /** @return the flattened patch length {@code C·P·P} */
    public int patchDim() {
        return channels * patchSize * patchSize;
    }

    /** @return the MLP hidden width, {@code round(mlpRatio·D)} */
    public int mlpHidden() {
        return (int) Math.round(mlpRatio * width);
    }

    /** @return prefix tokens before the patch tokens: class token plus registers */
    public int prefixTokens() {
        return (classToken ? 1 : 0) + registerTokens;
    }

    /**
     * @return the position encoding as {@link PositionEmbeddingKind#parseCombination} reads it:
     *     {@code learned}, {@code rope-axial}, {@code rope-mixed+learned}
     */
    public String positionName() {
        if (!rope.isRope()) {
            return posEmb.cliName();
        }
        return posEmb == PositionEmbeddingKind.NONE ? rope.cliName() : rope.cliName() + "+" + posEmb.cliName();
    }
}
