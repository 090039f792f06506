package org.vit4j.model;

import java.util.Objects;
import java.util.function.Supplier;
import org.vit4j.image.Interpolation;
import org.vit4j.image.SizingPolicy;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * Builds a {@link ViTConfig}. {@code set} methods are required; {@code opt} methods set the
 * component they link to, whose default is documented there. All checks run in
 * {@link #build()}, through the records' canonical constructors.
 */
public final class ViTConfigBuilder {
    // package-private: ViTConfig.toBuilder() fills them from a config
    int imageHeight;
    int imageWidth;
    int channels = 3;
    int patchSize;
    int width;
    int depth;
    int heads;
    double mlpRatio = Architecture.DEFAULT_MLP_RATIO;
    int numClasses;
    Pooling pooling = Pooling.CLS;
    Boolean classToken;
    int registerTokens;
    boolean fcNorm;
    boolean qkvBias = true;
    boolean keyBias = true;
    PositionEmbeddingKind posEmb = PositionEmbeddingKind.LEARNED;
    SinCosLayout posEmbLayout = SinCosLayout.SPLIT;
    PositionEmbeddingKind rope = PositionEmbeddingKind.NONE;
    RopeLayout ropeLayout;
    RopeIndexing ropeIndexing;
    double ropeTheta = Double.NaN;
    PositionScaling positionScaling = PositionScaling.EXTRAPOLATE;
    double layerScale;
    double layerNormEps = Architecture.DEFAULT_LAYER_NORM_EPS;
    double dropout;
    double dropPath;
    SizingPolicy sizing = Preprocessing.DEFAULT.sizing();
    Interpolation interpolation = Preprocessing.DEFAULT.interpolation();
    double cropPct = Preprocessing.DEFAULT.cropPct();
    private float[] mean;
    private float[] std;

    ViTConfigBuilder() {}


    /**
     * Required: {@link Architecture#imageHeight()} and {@link Architecture#imageWidth()}.
     *
     * @param height H
     * @param width W
     * @return this
     */
    public ViTConfigBuilder setImageSize(int height, int width) {
        this.imageHeight = height;
        this.imageWidth = width;
        return this;
    }

    /**
     * Required: {@link Architecture#patchSize()}.
     *
     * @param patchSize P
     * @return this
     */
    public ViTConfigBuilder setPatchSize(int patchSize) {
        this.patchSize = patchSize;
        return this;
    }

    /**
     * Sets {@link Architecture#channels()}.
     *
     * @param channels C
     * @return this
     */
    public ViTConfigBuilder optChannels(int channels) {
        this.channels = channels;
        return this;
    }

    /**
     * Required: {@link Architecture#width()}.
     *
     * @param width D
     * @return this
     */
    public ViTConfigBuilder setWidth(int width) {
        this.width = width;
        return this;
    }

    /**
     * Required: {@link Architecture#depth()}.
     *
     * @param depth blocks
     * @return this
     */
    public ViTConfigBuilder setDepth(int depth) {
        this.depth = depth;
        return this;
    }

    /**
     * Required: {@link Architecture#heads()}.
     *
     * @param heads heads
     * @return this
     */
    public ViTConfigBuilder setHeads(int heads) {
        this.heads = heads;
        return this;
    }

    /**
     * Sets {@link Architecture#mlpRatio()}.
     *
     * @param mlpRatio ratio
     * @return this
     */
    public ViTConfigBuilder optMlpRatio(double mlpRatio) {
        this.mlpRatio = mlpRatio;
        return this;
    }

    /**
     * Required: {@link Architecture#numClasses()}.
     *
     * @param numClasses K
     * @return this
     */
    public ViTConfigBuilder setNumClasses(int numClasses) {
        this.numClasses = numClasses;
        return this;
    }

    /**
     * Sets {@link Architecture#pooling()}.
     *
     * @param pooling pooling
     * @return this
     */
    public ViTConfigBuilder optPooling(Pooling pooling) {
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        return this;
    }

    /**
     * Sets {@link Architecture#classToken()}.
     *
     * @param classToken flag
     * @return this
     */
    public ViTConfigBuilder optClassToken(boolean classToken) {
        this.classToken = classToken;
        return this;
    }

    /**
     * Sets {@link Architecture#registerTokens()}.
     *
     * @param registerTokens count
     * @return this
     */
    public ViTConfigBuilder optRegisterTokens(int registerTokens) {
        this.registerTokens = registerTokens;
        return this;
    }

    /**
     * Sets {@link Architecture#fcNorm()}.
     *
     * @param fcNorm flag
     * @return this
     */
    public ViTConfigBuilder optFcNorm(boolean fcNorm) {
        this.fcNorm = fcNorm;
        return this;
    }

    /**
     * Sets {@link Architecture#qkvBias()}.
     *
     * @param qkvBias flag
     * @return this
     */
    public ViTConfigBuilder optQkvBias(boolean qkvBias) {
        this.qkvBias = qkvBias;
        return this;
    }

    /**
     * Sets {@link Architecture#keyBias()}.
     *
     * @param keyBias flag
     * @return this
     */
    public ViTConfigBuilder optKeyBias(boolean keyBias) {
        this.keyBias = keyBias;
        return this;
    }

    /**
     * Sets {@link Architecture#posEmb()}; a rotary kind sets {@link #optRope} and no absolute
     * table instead, an absolute kind keeps any rotary one.
     *
     * @param posEmb kind
     * @return this
     */
    public ViTConfigBuilder optPosEmb(PositionEmbeddingKind posEmb) {
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
     * Sets {@link Architecture#posEmb()} and {@link Architecture#rope()} by name, absolute and
     * rotary joined by {@code +} ({@link PositionEmbeddingKind#parseCombination}).
     *
     * @param name e.g. {@code learned}, {@code rope-axial}, {@code rope-mixed+learned}
     * @return this
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    public ViTConfigBuilder optPosEmb(String name) {
        PositionEmbeddingKind[] k = PositionEmbeddingKind.parseCombination(name);
        this.posEmb = k[0];
        this.rope = k[1];
        return this;
    }

    /**
     * Sets {@link Architecture#rope()}.
     *
     * @param rope a rotary kind or {@link PositionEmbeddingKind#NONE}
     * @return this
     */
    public ViTConfigBuilder optRope(PositionEmbeddingKind rope) {
        this.rope = Objects.requireNonNull(rope, "rope");
        return this;
    }

    /**
     * Sets {@link Architecture#ropeLayout()}.
     *
     * @param layout layout
     * @return this
     */
    public ViTConfigBuilder optRopeLayout(RopeLayout layout) {
        this.ropeLayout = Objects.requireNonNull(layout, "ropeLayout");
        return this;
    }

    /**
     * Sets {@link Architecture#ropeIndexing()}.
     *
     * @param indexing order
     * @return this
     */
    public ViTConfigBuilder optRopeIndexing(RopeIndexing indexing) {
        this.ropeIndexing = Objects.requireNonNull(indexing, "ropeIndexing");
        return this;
    }

    /**
     * Sets {@link Architecture#ropeTheta()}.
     *
     * @param theta theta, above 1
     * @return this
     */
    public ViTConfigBuilder optRopeTheta(double theta) {
        this.ropeTheta = theta;
        return this;
    }

    /**
     * Sets {@link Architecture#positionScaling()}.
     *
     * @param scaling the scaling
     * @return this
     */
    public ViTConfigBuilder optPositionScaling(PositionScaling scaling) {
        this.positionScaling = Objects.requireNonNull(scaling, "positionScaling");
        return this;
    }

    /**
     * Sets {@link Architecture#layerScale()}.
     *
     * @param init factor, at least 0
     * @return this
     */
    public ViTConfigBuilder optLayerScale(double init) {
        this.layerScale = init;
        return this;
    }

    /**
     * Sets {@link Architecture#posEmbLayout()}.
     *
     * @param layout layout
     * @return this
     */
    public ViTConfigBuilder optPosEmbLayout(SinCosLayout layout) {
        this.posEmbLayout = Objects.requireNonNull(layout, "posEmbLayout");
        return this;
    }

    /**
     * Sets {@link Architecture#layerNormEps()}.
     *
     * @param eps epsilon
     * @return this
     */
    public ViTConfigBuilder optLayerNormEps(double eps) {
        this.layerNormEps = eps;
        return this;
    }

    /**
     * Sets {@link ViTConfig#dropout()}; default 0.
     *
     * @param dropout rate in [0, 1)
     * @return this
     */
    public ViTConfigBuilder optDropout(double dropout) {
        this.dropout = dropout;
        return this;
    }

    /**
     * Sets {@link ViTConfig#dropPath()}; default 0.
     *
     * @param dropPath rate in [0, 1)
     * @return this
     */
    public ViTConfigBuilder optDropPath(double dropPath) {
        this.dropPath = dropPath;
        return this;
    }

    /**
     * Sets {@link Preprocessing#sizing()} by name.
     *
     * @param name policy
     * @return this
     */
    public ViTConfigBuilder optSizing(String name) {
        this.sizing = field("sizing", () -> SizingPolicy.fromName(name));
        return this;
    }

    /**
     * Sets {@link Preprocessing#sizing()}.
     *
     * @param policy policy
     * @return this
     */
    public ViTConfigBuilder optSizing(SizingPolicy policy) {
        this.sizing = Objects.requireNonNull(policy, "sizing");
        return this;
    }

    /**
     * Sets {@link Preprocessing#interpolation()} by name.
     *
     * @param name filter
     * @return this
     */
    public ViTConfigBuilder optInterpolation(String name) {
        this.interpolation = field("interpolation", () -> Interpolation.fromName(name));
        return this;
    }

    /**
     * Sets {@link Preprocessing#cropPct()}.
     *
     * @param cropPct ratio in (0, 1]
     * @return this
     */
    public ViTConfigBuilder optCropPct(double cropPct) {
        this.cropPct = cropPct;
        return this;
    }

    /**
     * Sets {@link Preprocessing#mean()} and {@link Preprocessing#std()}; null for none.
     *
     * @param mean per-channel mean
     * @param std per-channel standard deviation
     * @return this
     */
    public ViTConfigBuilder optNormalization(float[] mean, float[] std) {
        this.mean = mean == null ? null : mean.clone();
        this.std = std == null ? null : std.clone();
        return this;
    }


    /**
     * Sets every component of {@link Preprocessing}, e.g. to one of its presets.
     *
     * @param preprocessing the preprocessing
     * @return this
     */
    public ViTConfigBuilder optPreprocessing(Preprocessing preprocessing) {
        this.sizing = preprocessing.sizing();
        this.interpolation = preprocessing.interpolation();
        this.cropPct = preprocessing.cropPct();
        this.mean = preprocessing.meanArray();
        this.std = preprocessing.stdArray();
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
        Architecture a = new Architecture(imageHeight, imageWidth, channels, patchSize, width, depth, heads,
                mlpRatio, numClasses, pooling, classToken == null ? pooling == Pooling.CLS : classToken,
                registerTokens, fcNorm, qkvBias, keyBias, posEmb, posEmbLayout, rope, ropeLayout,
                ropeIndexing, ropeTheta, positionScaling, layerScale, layerNormEps);
        Preprocessing p = new Preprocessing(sizing, interpolation, cropPct,
                mean == null ? null : Preprocessing.boxed(mean), std == null ? null : Preprocessing.boxed(std));
        return new ViTConfig(a, dropout, dropPath, p);
    }
}
