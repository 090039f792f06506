package org.vit4j.model;

import com.google.gson.annotations.JsonAdapter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.Interpolation;
import org.vit4j.image.Normalization;
import org.vit4j.image.SizingPolicy;
import org.vit4j.patch.PatchGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * Everything that defines a Vision Transformer and its input: one immutable, validated value,
 * saved as {@code config.json} next to the weights ({@link ConfigJson} is its one JSON form).
 *
 * <p>Architecture: image {@code (C, H, W)} cut into {@code P×P} patches, projected to width
 * {@code D}, a class token and {@code R} register tokens optionally prepended, a position
 * embedding added, {@code depth} pre-norm encoder blocks with {@code heads} heads and an MLP of
 * {@code mlpRatio·D}, a final LayerNorm, pooling, and a linear head to {@code numClasses}.
 * Optionally a rotary position embedding turns every block's patch queries and keys
 * ({@link #rope()}, alone or beside the absolute {@link #posEmb()}), and LayerScale multiplies
 * both residual branches ({@link #layerScale()}).
 *
 * <p>Input: the sizing policy, interpolation, crop ratio and mean/std that turn a picture into the
 * model's input; {@link #preprocessor()} builds the matching {@link ImagePreprocessor}.
 *
 * <p>Build one with {@link #builder()} (its {@code opt} methods hold the defaults). The canonical
 * constructor runs every check of {@link Builder#build()}, so no invalid config exists; equality is
 * the record's, component by component. The {@code getX()}/{@code isX()}/{@code hasX()} methods are
 * the accessors under the names most callers use.
 *
 * @param imageHeight input height {@code H} in pixels
 * @param imageWidth input width {@code W} in pixels
 * @param channels channels {@code C}: 1 (grey) or 3 (RGB)
 * @param patchSize patch side {@code P} in pixels
 * @param width the embedding width {@code D}
 * @param depth the number of encoder blocks
 * @param heads attention heads per block
 * @param mlpRatio MLP hidden width divided by {@code D}
 * @param numClasses output classes {@code K}
 * @param pooling the pooling
 * @param classToken whether a class token is prepended
 * @param registerTokens register tokens prepended after the class token (no position embedding)
 * @param fcNorm whether the final LayerNorm is applied after pooling (timm's {@code fc_norm})
 *     instead of to every token before pooling
 * @param qkvBias whether the qkv projection has a bias
 * @param keyBias whether the key projection has a bias too (true for timm's
 *     {@code VisionTransformer}; false for timm's {@code Eva} family: DINOv3 with q/v bias, EVA-02,
 *     BEiT)
 * @param posEmb the absolute position embedding kind, added before the encoder ({@code none} with
 *     RoPE only)
 * @param posEmbLayout the column layout of sinusoidal tables
 * @param rope the rotary position embedding kind, or {@link PositionEmbeddingKind#NONE}
 * @param ropeLayout the rotary pair layout; {@code null} in the constructor for the kind's default
 *     (always {@link RopeLayout#INTERLEAVED} without {@code rope})
 * @param ropeIndexing the rotary axis order; {@code null} in the constructor for the kind's default
 *     (always {@link RopeIndexing#XY} without {@code rope})
 * @param ropeTheta the rotary temperature; {@code NaN} in the constructor for the kind's default
 *     (always 0 without {@code rope})
 * @param layerScale the initial LayerScale factor of both residual branches, 0 for none
 * @param layerNormEps LayerNorm epsilon (timm and torchvision use 1e-6, Hugging Face 1e-12)
 * @param dropout dropout rate after attention, MLP and embeddings (training only)
 * @param dropPath stochastic depth rate of the last block; block {@code i} uses
 *     {@code i/(depth-1)} of it
 * @param sizing the sizing policy for input pictures
 * @param interpolation the resampling filter for input pictures
 * @param cropPct the center-crop ratio used by {@link SizingPolicy#RESIZE_CROP}
 * @param mean per-channel normalization mean (unmodifiable); {@code null} together with
 *     {@code std} in the constructor for none (mean 0, std 1)
 * @param std per-channel normalization standard deviation (unmodifiable)
 */
@JsonAdapter(ConfigJson.class)
public record ViTConfig(
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
        double layerScale,
        double layerNormEps,
        double dropout,
        double dropPath,
        SizingPolicy sizing,
        Interpolation interpolation,
        double cropPct,
        List<Float> mean,
        List<Float> std) {

    /** The {@code format} field written into every config file. */
    public static final String FORMAT = "vit4j-model";
    /** The current config format version. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Validates the values and fills the defaults documented on the components.
     *
     * @param imageHeight see the record component
     * @param imageWidth see the record component
     * @param channels see the record component
     * @param patchSize see the record component
     * @param width see the record component
     * @param depth see the record component
     * @param heads see the record component
     * @param mlpRatio see the record component
     * @param numClasses see the record component
     * @param pooling see the record component
     * @param classToken see the record component
     * @param registerTokens see the record component
     * @param fcNorm see the record component
     * @param qkvBias see the record component
     * @param keyBias see the record component
     * @param posEmb see the record component
     * @param posEmbLayout see the record component
     * @param rope see the record component
     * @param ropeLayout see the record component
     * @param ropeIndexing see the record component
     * @param ropeTheta see the record component
     * @param layerScale see the record component
     * @param layerNormEps see the record component
     * @param dropout see the record component
     * @param dropPath see the record component
     * @param sizing see the record component
     * @param interpolation see the record component
     * @param cropPct see the record component
     * @param mean see the record component
     * @param std see the record component
     * @throws IllegalArgumentException naming the first invalid setting and its value
     */
    public ViTConfig {
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(posEmb, "posEmb");
        Objects.requireNonNull(posEmbLayout, "posEmbLayout");
        Objects.requireNonNull(rope, "rope");
        Objects.requireNonNull(sizing, "sizing");
        Objects.requireNonNull(interpolation, "interpolation");
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
        check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
        check(dropPath >= 0 && dropPath < 1, "dropPath must be in [0, 1), got " + dropPath);
        check(layerNormEps > 0, "layerNormEps must be positive, got " + layerNormEps);
        check(cropPct > 0 && cropPct <= 1, "cropPct must be in (0, 1], got " + cropPct);
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
        if (mean != null || std != null) {
            check(mean != null && std != null, "mean and std must be given together");
            check(mean.size() == channels, "mean has " + mean.size() + " values for " + channels + " channels");
            check(std.size() == channels, "std has " + std.size() + " values for " + channels + " channels");
            for (float s : std) {
                check(s > 0, "std values must be positive, got " + std);
            }
        }
        boolean r = rope.isRope();
        ropeLayout = r && ropeLayout != null ? ropeLayout : r ? rope.defaultRopeLayout() : RopeLayout.INTERLEAVED;
        ropeIndexing = r && ropeIndexing != null ? ropeIndexing : r ? rope.defaultRopeIndexing() : RopeIndexing.XY;
        ropeTheta = r && !Double.isNaN(ropeTheta) ? ropeTheta : r ? rope.defaultRopeTheta() : 0;
        mean = mean == null ? filled(channels, 0f) : List.copyOf(mean);
        std = std == null ? filled(channels, 1f) : List.copyOf(std);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static List<Float> filled(int n, float v) {
        return Collections.nCopies(n, v);
    }

    private static List<Float> boxed(float[] a) {
        List<Float> l = new ArrayList<>(a.length);
        for (float v : a) {
            l.add(v);
        }
        return l;
    }

    private static float[] unboxed(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    /** @return a new builder with the defaults documented on its {@code opt} methods */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this config's values, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.imageHeight = imageHeight;
        b.imageWidth = imageWidth;
        b.channels = channels;
        b.patchSize = patchSize;
        b.width = width;
        b.depth = depth;
        b.heads = heads;
        b.mlpRatio = mlpRatio;
        b.numClasses = numClasses;
        b.pooling = pooling;
        b.classToken = classToken;
        b.registerTokens = registerTokens;
        b.fcNorm = fcNorm;
        b.qkvBias = qkvBias;
        b.keyBias = keyBias;
        b.posEmb = posEmb;
        b.posEmbLayout = posEmbLayout;
        b.rope = rope;
        // without a rotary kind these are placeholders: a kind set later brings its own defaults
        b.ropeLayout = rope.isRope() ? ropeLayout : null;
        b.ropeIndexing = rope.isRope() ? ropeIndexing : null;
        b.ropeTheta = rope.isRope() ? ropeTheta : Double.NaN;
        b.layerScale = layerScale;
        b.layerNormEps = layerNormEps;
        b.dropout = dropout;
        b.dropPath = dropPath;
        b.sizing = sizing;
        b.interpolation = interpolation;
        b.cropPct = cropPct;
        b.mean = getMean();
        b.std = getStd();
        return b;
    }

    /** @return {@link #imageHeight()} */
    public int getImageHeight() {
        return imageHeight;
    }

    /** @return {@link #imageWidth()} */
    public int getImageWidth() {
        return imageWidth;
    }

    /** @return {@link #channels()} */
    public int getChannels() {
        return channels;
    }

    /** @return {@link #patchSize()} */
    public int getPatchSize() {
        return patchSize;
    }

    /** @return the patch grid of the configured image size */
    public PatchGrid getGrid() {
        return PatchGrid.of(imageHeight, imageWidth, patchSize);
    }

    /** @return the flattened patch length {@code C·P·P} */
    public int getPatchDim() {
        return channels * patchSize * patchSize;
    }

    /** @return {@link #width()} */
    public int getWidth() {
        return width;
    }

    /** @return {@link #depth()} */
    public int getDepth() {
        return depth;
    }

    /** @return {@link #heads()} */
    public int getHeads() {
        return heads;
    }

    /** @return {@link #mlpRatio()} */
    public double getMlpRatio() {
        return mlpRatio;
    }

    /** @return the MLP hidden width, {@code round(mlpRatio·D)} */
    public int getMlpHidden() {
        return (int) Math.round(mlpRatio * width);
    }

    /** @return {@link #numClasses()} */
    public int getNumClasses() {
        return numClasses;
    }

    /** @return {@link #pooling()} */
    public Pooling getPooling() {
        return pooling;
    }

    /** @return {@link #classToken()} */
    public boolean hasClassToken() {
        return classToken;
    }

    /** @return {@link #registerTokens()} */
    public int getRegisterTokens() {
        return registerTokens;
    }

    /** @return prefix tokens before the patch tokens: class token plus registers */
    public int getPrefixTokens() {
        return (classToken ? 1 : 0) + registerTokens;
    }

    /** @return {@link #fcNorm()} */
    public boolean isFcNorm() {
        return fcNorm;
    }

    /** @return {@link #qkvBias()} */
    public boolean hasQkvBias() {
        return qkvBias;
    }

    /** @return {@link #keyBias()} */
    public boolean hasKeyBias() {
        return keyBias;
    }

    /** @return {@link #posEmb()} */
    public PositionEmbeddingKind getPosEmb() {
        return posEmb;
    }

    /** @return {@link #rope()} */
    public PositionEmbeddingKind getRope() {
        return rope;
    }

    /** @return {@link #ropeLayout()} (meaningful only with {@link #rope()}) */
    public RopeLayout getRopeLayout() {
        return ropeLayout;
    }

    /** @return {@link #ropeIndexing()} (meaningful only with {@link #rope()}) */
    public RopeIndexing getRopeIndexing() {
        return ropeIndexing;
    }

    /** @return {@link #ropeTheta()} (0 without {@link #rope()}) */
    public double getRopeTheta() {
        return ropeTheta;
    }

    /**
     * @return the position encoding as {@link PositionEmbeddingKind#parseCombination} reads it:
     *     {@code learned}, {@code rope-axial}, {@code rope-mixed+learned}
     */
    public String getPositionName() {
        if (!rope.isRope()) {
            return posEmb.cliName();
        }
        return posEmb == PositionEmbeddingKind.NONE ? rope.cliName() : rope.cliName() + "+" + posEmb.cliName();
    }

    /** @return {@link #layerScale()} */
    public double getLayerScale() {
        return layerScale;
    }

    /** @return {@link #posEmbLayout()} */
    public SinCosLayout getPosEmbLayout() {
        return posEmbLayout;
    }

    /** @return {@link #layerNormEps()} */
    public double getLayerNormEps() {
        return layerNormEps;
    }

    /** @return {@link #dropout()} */
    public double getDropout() {
        return dropout;
    }

    /** @return {@link #dropPath()} */
    public double getDropPath() {
        return dropPath;
    }

    /** @return {@link #sizing()} */
    public SizingPolicy getSizing() {
        return sizing;
    }

    /** @return {@link #interpolation()} */
    public Interpolation getInterpolation() {
        return interpolation;
    }

    /** @return {@link #cropPct()} */
    public double getCropPct() {
        return cropPct;
    }

    /** @return {@link #mean()} as a new array */
    public float[] getMean() {
        return unboxed(mean);
    }

    /** @return {@link #std()} as a new array */
    public float[] getStd() {
        return unboxed(std);
    }

    /** @return the preprocessor that turns a picture into this model's input */
    public ImagePreprocessor preprocessor() {
        return ImagePreprocessor.builder()
                .setImageSize(imageHeight, imageWidth)
                .setPatchSize(patchSize)
                .optChannels(channels)
                .optPolicy(sizing)
                .optCropPct(cropPct)
                .optInterpolation(interpolation)
                .optNormalization(Normalization.of(getMean(), getStd()))
                .build();
    }

    /** @return this config as pretty-printed JSON (the content of {@code config.json}) */
    public String toJson() {
        return ConfigJson.GSON.toJson(this);
    }

    /**
     * Parses and validates a config.
     *
     * @param json the text of a {@code config.json}
     * @return the config
     * @throws IllegalArgumentException naming the missing or invalid field
     */
    public static ViTConfig fromJson(String json) {
        return ConfigJson.GSON.fromJson(ConfigJson.parse(json), ViTConfig.class);
    }

    /**
     * Whether {@code other} describes the same network, with the same parameters and the same
     * inference: equal up to the training-only rates (dropout, stochastic depth). Weights move
     * freely between such configs (fine-tuning with other rates, averaging).
     *
     * @param other another config
     * @return true if only dropout or stochastic depth differ, if anything
     */
    public boolean sameNetwork(ViTConfig other) {
        return other.toBuilder().optDropout(dropout).optDropPath(dropPath).build().equals(this);
    }

    @Override
    public String toString() {
        return String.format(
                "ViT %dx%d/%d C=%d D=%d depth=%d heads=%d mlp=%.2f K=%d pool=%s pos=%s",
                imageHeight, imageWidth, patchSize, channels, width, depth, heads, mlpRatio,
                numClasses, pooling.cliName(), getPositionName());
    }

    /**
     * Builds a {@link ViTConfig}. {@code set} methods are required; {@code opt} methods have the
     * documented default. All checks run in {@link #build()}, through the record's canonical
     * constructor.
     */
    public static final class Builder {
        private int imageHeight;
        private int imageWidth;
        private int channels = 3;
        private int patchSize;
        private int width;
        private int depth;
        private int heads;
        private double mlpRatio = 4.0;
        private int numClasses;
        private Pooling pooling = Pooling.CLS;
        private Boolean classToken;
        private int registerTokens;
        private boolean fcNorm;
        private boolean qkvBias = true;
        private boolean keyBias = true;
        private PositionEmbeddingKind posEmb = PositionEmbeddingKind.LEARNED;
        private SinCosLayout posEmbLayout = SinCosLayout.SPLIT;
        private PositionEmbeddingKind rope = PositionEmbeddingKind.NONE;
        private RopeLayout ropeLayout;
        private RopeIndexing ropeIndexing;
        private double ropeTheta = Double.NaN;
        private double layerScale;
        private double layerNormEps = 1e-6;
        private double dropout;
        private double dropPath;
        private SizingPolicy sizing = SizingPolicy.RESIZE_CROP;
        private Interpolation interpolation = Interpolation.BICUBIC;
        private double cropPct = 0.875;
        private float[] mean;
        private float[] std;

        private Builder() {}

        /**
         * Required: input size in pixels.
         *
         * @param height H
         * @param width W
         * @return this
         */
        public Builder setImageSize(int height, int width) {
            this.imageHeight = height;
            this.imageWidth = width;
            return this;
        }

        /**
         * Required: patch side P.
         *
         * @param patchSize P
         * @return this
         */
        public Builder setPatchSize(int patchSize) {
            this.patchSize = patchSize;
            return this;
        }

        /**
         * Channels, 1 or 3; default 3.
         *
         * @param channels C
         * @return this
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Required: embedding width D.
         *
         * @param width D
         * @return this
         */
        public Builder setWidth(int width) {
            this.width = width;
            return this;
        }

        /**
         * Required: number of encoder blocks.
         *
         * @param depth blocks
         * @return this
         */
        public Builder setDepth(int depth) {
            this.depth = depth;
            return this;
        }

        /**
         * Required: attention heads; must divide the width.
         *
         * @param heads heads
         * @return this
         */
        public Builder setHeads(int heads) {
            this.heads = heads;
            return this;
        }

        /**
         * MLP hidden width / D; default 4.
         *
         * @param mlpRatio ratio
         * @return this
         */
        public Builder optMlpRatio(double mlpRatio) {
            this.mlpRatio = mlpRatio;
            return this;
        }

        /**
         * Required: number of classes K.
         *
         * @param numClasses K
         * @return this
         */
        public Builder setNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /**
         * Pooling; default {@link Pooling#CLS}.
         *
         * @param pooling pooling
         * @return this
         */
        public Builder optPooling(Pooling pooling) {
            this.pooling = Objects.requireNonNull(pooling, "pooling");
            return this;
        }

        /**
         * Class token; default: present iff pooling is CLS.
         *
         * @param classToken flag
         * @return this
         */
        public Builder optClassToken(boolean classToken) {
            this.classToken = classToken;
            return this;
        }

        /**
         * Register tokens; default 0.
         *
         * @param registerTokens count
         * @return this
         */
        public Builder optRegisterTokens(int registerTokens) {
            this.registerTokens = registerTokens;
            return this;
        }

        /**
         * LayerNorm after pooling (timm fc_norm); default false.
         *
         * @param fcNorm flag
         * @return this
         */
        public Builder optFcNorm(boolean fcNorm) {
            this.fcNorm = fcNorm;
            return this;
        }

        /**
         * Bias on the qkv projection; default true.
         *
         * @param qkvBias flag
         * @return this
         */
        public Builder optQkvBias(boolean qkvBias) {
            this.qkvBias = qkvBias;
            return this;
        }

        /**
         * With a qkv bias, whether its key part is used; default true. False is timm {@code Eva}'s
         * {@code q_bias}/{@code v_bias} with the key's bias fixed at zero.
         *
         * @param keyBias flag
         * @return this
         */
        public Builder optKeyBias(boolean keyBias) {
            this.keyBias = keyBias;
            return this;
        }

        /**
         * Position embedding; default learned. A rotary kind sets {@link #optRope} and no absolute
         * table; an absolute kind keeps any rotary one.
         *
         * @param posEmb kind
         * @return this
         */
        public Builder optPosEmb(PositionEmbeddingKind posEmb) {
            Objects.requireNonNull(posEmb, "posEmb");
            if (posEmb.isRope()) {
                this.rope = posEmb;
                this.posEmb = PositionEmbeddingKind.NONE;
            } else {
                this.posEmb = posEmb;
            }
            return this;
        }

        /**
         * Position encoding by name, absolute and rotary joined by {@code +}
         * ({@link PositionEmbeddingKind#parseCombination}); default learned.
         *
         * @param name e.g. {@code learned}, {@code rope-axial}, {@code rope-mixed+learned}
         * @return this
         * @throws IllegalArgumentException for an unknown name, listing the valid ones
         */
        public Builder optPosEmb(String name) {
            PositionEmbeddingKind[] k = PositionEmbeddingKind.parseCombination(name);
            this.posEmb = k[0];
            this.rope = k[1];
            return this;
        }

        /**
         * Rotary position embedding in attention; default none.
         *
         * @param rope a rotary kind or {@link PositionEmbeddingKind#NONE}
         * @return this
         */
        public Builder optRope(PositionEmbeddingKind rope) {
            this.rope = Objects.requireNonNull(rope, "rope");
            return this;
        }

        /**
         * Rotary pair layout; default the kind's (half for DINOv3, else interleaved).
         *
         * @param layout layout
         * @return this
         */
        public Builder optRopeLayout(RopeLayout layout) {
            this.ropeLayout = Objects.requireNonNull(layout, "ropeLayout");
            return this;
        }

        /**
         * Rotary axis order; default the kind's (ij for DINOv3, else xy).
         *
         * @param indexing order
         * @return this
         */
        public Builder optRopeIndexing(RopeIndexing indexing) {
            this.ropeIndexing = Objects.requireNonNull(indexing, "ropeIndexing");
            return this;
        }

        /**
         * Rotary temperature; default the kind's (10 for rope-mixed, else 100).
         *
         * @param theta theta, above 1
         * @return this
         */
        public Builder optRopeTheta(double theta) {
            this.ropeTheta = theta;
            return this;
        }

        /**
         * LayerScale initial factor of both residual branches, 0 for none; default 0.
         *
         * @param init factor, at least 0
         * @return this
         */
        public Builder optLayerScale(double init) {
            this.layerScale = init;
            return this;
        }

        /**
         * Sin-cos column layout; default split.
         *
         * @param layout layout
         * @return this
         */
        public Builder optPosEmbLayout(SinCosLayout layout) {
            this.posEmbLayout = Objects.requireNonNull(layout, "posEmbLayout");
            return this;
        }

        /**
         * LayerNorm epsilon; default 1e-6.
         *
         * @param eps epsilon
         * @return this
         */
        public Builder optLayerNormEps(double eps) {
            this.layerNormEps = eps;
            return this;
        }

        /**
         * Dropout rate; default 0.
         *
         * @param dropout rate in [0, 1)
         * @return this
         */
        public Builder optDropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        /**
         * Stochastic depth rate; default 0.
         *
         * @param dropPath rate in [0, 1)
         * @return this
         */
        public Builder optDropPath(double dropPath) {
            this.dropPath = dropPath;
            return this;
        }

        /**
         * Sizing policy by name; default resize-crop.
         *
         * @param name policy
         * @return this
         */
        public Builder optSizing(String name) {
            this.sizing = field("sizing", () -> SizingPolicy.fromName(name));
            return this;
        }

        /**
         * Sizing policy; default resize-crop.
         *
         * @param policy policy
         * @return this
         */
        public Builder optSizing(SizingPolicy policy) {
            this.sizing = Objects.requireNonNull(policy, "sizing");
            return this;
        }

        /**
         * Interpolation by name; default bicubic.
         *
         * @param name filter
         * @return this
         */
        public Builder optInterpolation(String name) {
            this.interpolation = field("interpolation", () -> Interpolation.fromName(name));
            return this;
        }

        /**
         * Crop ratio for resize-crop; default 0.875.
         *
         * @param cropPct ratio in (0, 1]
         * @return this
         */
        public Builder optCropPct(double cropPct) {
            this.cropPct = cropPct;
            return this;
        }

        /**
         * Normalization; default mean 0, std 1 (none).
         *
         * @param mean per-channel mean
         * @param std per-channel standard deviation
         * @return this
         */
        public Builder optNormalization(float[] mean, float[] std) {
            this.mean = mean == null ? null : mean.clone();
            this.std = std == null ? null : std.clone();
            return this;
        }

        private static <T> T field(String name, Supplier<T> p) {
            try {
                return p.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }

        /**
         * Validates and builds.
         *
         * @return the config
         * @throws IllegalArgumentException naming the first invalid setting and its value
         */
        public ViTConfig build() {
            return new ViTConfig(imageHeight, imageWidth, channels, patchSize, width, depth, heads,
                    mlpRatio, numClasses, pooling, classToken == null ? pooling == Pooling.CLS : classToken,
                    registerTokens, fcNorm, qkvBias, keyBias, posEmb, posEmbLayout, rope, ropeLayout,
                    ropeIndexing, ropeTheta, layerScale, layerNormEps, dropout, dropPath, sizing,
                    interpolation, cropPct, mean == null ? null : boxed(mean), std == null ? null : boxed(std));
        }
    }
}
