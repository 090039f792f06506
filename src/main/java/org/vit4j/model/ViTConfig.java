package org.vit4j.model;

import java.util.Arrays;
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
 * saved as {@code config.json} next to the weights.
 *
 * <p>Architecture: image {@code (C, H, W)} cut into {@code P×P} patches, projected to width
 * {@code D}, a class token and {@code R} register tokens optionally prepended, a position
 * embedding added, {@code depth} pre-norm encoder blocks with {@code heads} heads and an MLP of
 * {@code mlpRatio·D}, a final LayerNorm, pooling, and a linear head to {@code numClasses}.
 * Optionally a rotary position embedding turns every block's patch queries and keys
 * ({@link #getRope()}, alone or beside the absolute {@link #getPosEmb()}), and LayerScale multiplies
 * both residual branches ({@link #getLayerScale()}).
 *
 * <p>Input: the sizing policy, interpolation, crop ratio and mean/std that turn a picture into the
 * model's input; {@link #preprocessor()} builds the matching {@link ImagePreprocessor}.
 */
public final class ViTConfig {

    /** The {@code format} field written into every config file. */
    public static final String FORMAT = "vit4j-model";
    /** The current config format version. */
    public static final int FORMAT_VERSION = 1;

    private final int imageHeight;
    private final int imageWidth;
    private final int channels;
    private final int patchSize;
    private final int width;
    private final int depth;
    private final int heads;
    private final double mlpRatio;
    private final int numClasses;
    private final Pooling pooling;
    private final boolean classToken;
    private final int registerTokens;
    private final boolean fcNorm;
    private final boolean qkvBias;
    private final boolean keyBias;
    private final PositionEmbeddingKind posEmb;
    private final SinCosLayout posEmbLayout;
    private final PositionEmbeddingKind rope;
    private final RopeLayout ropeLayout;
    private final RopeIndexing ropeIndexing;
    private final double ropeTheta;
    private final double layerScale;
    private final double layerNormEps;
    private final double dropout;
    private final double dropPath;
    private final SizingPolicy sizing;
    private final Interpolation interpolation;
    private final double cropPct;
    private final float[] mean;
    private final float[] std;

    private ViTConfig(Builder b) {
        imageHeight = b.imageHeight;
        imageWidth = b.imageWidth;
        channels = b.channels;
        patchSize = b.patchSize;
        width = b.width;
        depth = b.depth;
        heads = b.heads;
        mlpRatio = b.mlpRatio;
        numClasses = b.numClasses;
        pooling = b.pooling;
        classToken = b.classToken == null ? pooling == Pooling.CLS : b.classToken;
        registerTokens = b.registerTokens;
        fcNorm = b.fcNorm;
        qkvBias = b.qkvBias;
        keyBias = b.keyBias;
        posEmb = b.posEmb;
        posEmbLayout = b.posEmbLayout;
        rope = b.rope;
        boolean r = rope.isRope();
        ropeLayout = b.ropeLayout != null ? b.ropeLayout : r ? rope.defaultRopeLayout() : RopeLayout.INTERLEAVED;
        ropeIndexing = b.ropeIndexing != null ? b.ropeIndexing : r ? rope.defaultRopeIndexing() : RopeIndexing.XY;
        ropeTheta = !Double.isNaN(b.ropeTheta) ? b.ropeTheta : r ? rope.defaultRopeTheta() : 0;
        layerScale = b.layerScale;
        layerNormEps = b.layerNormEps;
        dropout = b.dropout;
        dropPath = b.dropPath;
        sizing = b.sizing;
        interpolation = b.interpolation;
        cropPct = b.cropPct;
        mean = b.mean == null ? filled(channels, 0f) : b.mean.clone();
        std = b.std == null ? filled(channels, 1f) : b.std.clone();
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
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
        b.mean = mean.clone();
        b.std = std.clone();
        return b;
    }

    /** @return input height {@code H} in pixels */
    public int getImageHeight() {
        return imageHeight;
    }

    /** @return input width {@code W} in pixels */
    public int getImageWidth() {
        return imageWidth;
    }

    /** @return channels {@code C}: 1 (grey) or 3 (RGB) */
    public int getChannels() {
        return channels;
    }

    /** @return patch side {@code P} in pixels */
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

    /** @return the embedding width {@code D} */
    public int getWidth() {
        return width;
    }

    /** @return the number of encoder blocks */
    public int getDepth() {
        return depth;
    }

    /** @return attention heads per block */
    public int getHeads() {
        return heads;
    }

    /** @return MLP hidden width divided by {@code D} */
    public double getMlpRatio() {
        return mlpRatio;
    }

    /** @return the MLP hidden width, {@code round(mlpRatio·D)} */
    public int getMlpHidden() {
        return (int) Math.round(mlpRatio * width);
    }

    /** @return output classes {@code K} */
    public int getNumClasses() {
        return numClasses;
    }

    /** @return the pooling */
    public Pooling getPooling() {
        return pooling;
    }

    /** @return whether a class token is prepended */
    public boolean hasClassToken() {
        return classToken;
    }

    /** @return register tokens prepended after the class token (no position embedding) */
    public int getRegisterTokens() {
        return registerTokens;
    }

    /** @return prefix tokens before the patch tokens: class token plus registers */
    public int getPrefixTokens() {
        return (classToken ? 1 : 0) + registerTokens;
    }

    /**
     * @return whether the final LayerNorm is applied after pooling (timm's {@code fc_norm}) instead
     *     of to every token before pooling
     */
    public boolean isFcNorm() {
        return fcNorm;
    }

    /** @return whether the qkv projection has a bias */
    public boolean hasQkvBias() {
        return qkvBias;
    }

    /**
     * @return whether the key projection has a bias too (true for timm's {@code VisionTransformer};
     *     false for timm's {@code Eva} family: DINOv3 with q/v bias, EVA-02, BEiT)
     */
    public boolean hasKeyBias() {
        return keyBias;
    }

    /** @return the absolute position embedding kind, added before the encoder ({@code none} with RoPE only) */
    public PositionEmbeddingKind getPosEmb() {
        return posEmb;
    }

    /** @return the rotary position embedding kind, or {@link PositionEmbeddingKind#NONE} */
    public PositionEmbeddingKind getRope() {
        return rope;
    }

    /** @return the rotary pair layout (meaningful only with {@link #getRope()}) */
    public RopeLayout getRopeLayout() {
        return ropeLayout;
    }

    /** @return the rotary axis order (meaningful only with {@link #getRope()}) */
    public RopeIndexing getRopeIndexing() {
        return ropeIndexing;
    }

    /** @return the rotary temperature (0 without {@link #getRope()}) */
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

    /** @return the initial LayerScale factor of both residual branches, 0 for none */
    public double getLayerScale() {
        return layerScale;
    }

    /** @return the column layout of sinusoidal tables */
    public SinCosLayout getPosEmbLayout() {
        return posEmbLayout;
    }

    /** @return LayerNorm epsilon (timm and torchvision use 1e-6, Hugging Face 1e-12) */
    public double getLayerNormEps() {
        return layerNormEps;
    }

    /** @return dropout rate after attention, MLP and embeddings (training only) */
    public double getDropout() {
        return dropout;
    }

    /** @return stochastic depth rate of the last block; block {@code i} uses {@code i/(depth-1)} of it */
    public double getDropPath() {
        return dropPath;
    }

    /** @return the sizing policy for input pictures */
    public SizingPolicy getSizing() {
        return sizing;
    }

    /** @return the resampling filter for input pictures */
    public Interpolation getInterpolation() {
        return interpolation;
    }

    /** @return the center-crop ratio used by {@link SizingPolicy#RESIZE_CROP} */
    public double getCropPct() {
        return cropPct;
    }

    /** @return per-channel normalization mean (a copy) */
    public float[] getMean() {
        return mean.clone();
    }

    /** @return per-channel normalization standard deviation (a copy) */
    public float[] getStd() {
        return std.clone();
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
                .optNormalization(Normalization.of(mean, std))
                .build();
    }

    /** @return this config as pretty-printed JSON (the content of {@code config.json}) */
    public String toJson() {
        return ConfigJson.toJson(this);
    }

    /**
     * Parses and validates a config.
     *
     * @param json the text of a {@code config.json}
     * @return the config
     * @throws IllegalArgumentException naming the missing or invalid field
     */
    public static ViTConfig fromJson(String json) {
        return ConfigJson.fromJson(json);
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
    public boolean equals(Object o) {
        return o instanceof ViTConfig && ((ViTConfig) o).toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
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
     * documented default. All checks run in {@link #build()}.
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

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }

        /**
         * Validates and builds.
         *
         * @return the config
         * @throws IllegalArgumentException naming the first invalid setting and its value
         */
        public ViTConfig build() {
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
            boolean cls = classToken == null ? pooling == Pooling.CLS : classToken;
            check(pooling != Pooling.CLS || cls, "pooling 'cls' needs classToken=true");
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
                check(mean.length == channels,
                        "mean has " + mean.length + " values for " + channels + " channels");
                check(std.length == channels,
                        "std has " + std.length + " values for " + channels + " channels");
                for (float s : std) {
                    check(s > 0, "std values must be positive, got " + Arrays.toString(std));
                }
            }
            return new ViTConfig(this);
        }
    }
}
