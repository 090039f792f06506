package org.vit4j.model;

import com.google.gson.annotations.JsonAdapter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.Interpolation;
import org.vit4j.image.SizingPolicy;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * A Vision Transformer and its input: the {@link Architecture} (the network), the two
 * training-only rates, and the {@link Preprocessing} that turns a picture into the network's
 * input. One immutable, validated value, saved as {@code config.json} next to the weights
 * ({@link ConfigJson} is its one JSON form, in this order).
 *
 * <p>The parts are separate records so that each question has one answer: two models take each
 * other's weights when their {@link #architecture()}s are equal; the rates change no parameter and
 * no inference output; the preprocessing is what timm keeps apart as a model's pretrained data
 * config. Each setting and its default are documented once, on its part's record component; the
 * numeric defaults are constants ({@link Architecture#DEFAULT_MLP_RATIO},
 * {@link Architecture#DEFAULT_LAYER_NORM_EPS}, {@link ImagePreprocessor#DEFAULT_CROP_PCT}) that
 * the {@link Builder} starts from.
 *
 * <p>Build one with {@link #builder()}. The canonical constructor checks what joins the parts (one
 * mean and std per channel, rates in {@code [0, 1)}), so no invalid config exists; equality is the
 * record's. A setting is read where it is documented, under its one name: from its part
 * ({@code config.architecture().width()}, {@code config.preprocessing().sizing()}) or, for the
 * rates, from the record itself ({@link #dropout()}, {@link #dropPath()}).
 *
 * @param architecture the network
 * @param dropout dropout rate after attention, MLP and embeddings (training only), in {@code [0, 1)}
 * @param dropPath stochastic depth rate of the last block, in {@code [0, 1)}; block {@code i} uses
 *     {@code i/(depth-1)} of it (training only)
 * @param preprocessing how a picture becomes the input; with no mean and std given, mean 0 and std
 *     1 for each channel
 */
@JsonAdapter(ConfigJson.class)
public record ViTConfig(Architecture architecture, double dropout, double dropPath, Preprocessing preprocessing) {

    /** The {@code format} field written into every config file. */
    public static final String FORMAT = "vit4j-model";
    /** The current config format version. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Checks what joins the parts and fills the identity normalization.
     * The parameters are the components, documented on the record.
     *
     * @param architecture {@link #architecture()}
     * @param dropout {@link #dropout()}
     * @param dropPath {@link #dropPath()}
     * @param preprocessing {@link #preprocessing()}
     * @throws IllegalArgumentException naming the first invalid setting and its value
     */
    public ViTConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Architecture.check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
        Architecture.check(dropPath >= 0 && dropPath < 1, "dropPath must be in [0, 1), got " + dropPath);
        int channels = architecture.channels();
        if (preprocessing.mean() == null) {
            preprocessing = new Preprocessing(preprocessing.sizing(), preprocessing.interpolation(),
                    preprocessing.cropPct(), Collections.nCopies(channels, 0f), Collections.nCopies(channels, 1f));
        }
        Architecture.check(preprocessing.mean().size() == channels,
                "mean has " + preprocessing.mean().size() + " values for " + channels + " channels");
    }

    /**
     * The names of every setting, the architecture's, the rates and the preprocessing's: what a
     * consumer that knows only some of them (a compiled program) checks against, so that a new
     * setting is refused until it learns it.
     *
     * @return the names, in {@code config.json}'s order
     */
    public static List<String> optionNames() {
        List<String> names = new ArrayList<>();
        for (RecordComponent rc : Architecture.class.getRecordComponents()) {
            names.add(rc.getName());
        }
        names.add("dropout");
        names.add("dropPath");
        for (RecordComponent rc : Preprocessing.class.getRecordComponents()) {
            names.add(rc.getName());
        }
        return names;
    }

    /** @return a new builder with the defaults documented on the parts' components */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this config's values, to derive a changed copy */
    public Builder toBuilder() {
        Architecture a = architecture;
        Builder b = new Builder();
        b.imageHeight = a.imageHeight();
        b.imageWidth = a.imageWidth();
        b.channels = a.channels();
        b.patchSize = a.patchSize();
        b.width = a.width();
        b.depth = a.depth();
        b.heads = a.heads();
        b.mlpRatio = a.mlpRatio();
        b.numClasses = a.numClasses();
        b.pooling = a.pooling();
        b.classToken = a.classToken();
        b.registerTokens = a.registerTokens();
        b.fcNorm = a.fcNorm();
        b.qkvBias = a.qkvBias();
        b.keyBias = a.keyBias();
        b.posEmb = a.posEmb();
        b.posEmbLayout = a.posEmbLayout();
        b.rope = a.rope();
        // without a rotary kind these are placeholders: a kind set later brings its own defaults
        b.ropeLayout = a.rope().isRope() ? a.ropeLayout() : null;
        b.ropeIndexing = a.rope().isRope() ? a.ropeIndexing() : null;
        b.ropeTheta = a.rope().isRope() ? a.ropeTheta() : Double.NaN;
        b.positionScaling = a.positionScaling();
        b.layerScale = a.layerScale();
        b.layerNormEps = a.layerNormEps();
        b.dropout = dropout;
        b.dropPath = dropPath;
        b.optPreprocessing(preprocessing);
        return b;
    }

    /**
     * Whether weights move freely between this config and {@code other} with the same inference:
     * equal architectures and preprocessing; only the training rates may differ (fine-tuning with
     * other rates, averaging).
     *
     * @param other another config
     * @return true if only dropout or stochastic depth differ, if anything
     */
    public boolean sameModel(ViTConfig other) {
        return architecture.equals(other.architecture) && preprocessing.equals(other.preprocessing);
    }

    /** @return the preprocessor that turns a picture into this model's input */
    public ImagePreprocessor preprocessor() {
        return ImagePreprocessor.builder()
                .setImageSize(architecture.imageHeight(), architecture.imageWidth())
                .setPatchSize(architecture.patchSize())
                .optChannels(architecture.channels())
                .optPolicy(preprocessing.sizing())
                .optCropPct(preprocessing.cropPct())
                .optInterpolation(preprocessing.interpolation())
                .optNormalization(preprocessing.normalization())
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

    @Override
    public String toString() {
        Architecture a = architecture;
        return String.format(
                "ViT %dx%d/%d C=%d D=%d depth=%d heads=%d mlp=%.2f K=%d pool=%s pos=%s",
                a.imageHeight(), a.imageWidth(), a.patchSize(), a.channels(), a.width(), a.depth(), a.heads(),
                a.mlpRatio(), a.numClasses(), a.pooling().cliName(), a.positionName());
    }

    /**
     * Builds a {@link ViTConfig}. {@code set} methods are required; {@code opt} methods set the
     * component they link to, whose default is documented there. All checks run in
     * {@link #build()}, through the records' canonical constructors.
     */
    public static final class Builder {
        private int imageHeight;
        private int imageWidth;
        private int channels = 3;
        private int patchSize;
        private int width;
        private int depth;
        private int heads;
        private double mlpRatio = Architecture.DEFAULT_MLP_RATIO;
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
        private PositionScaling positionScaling = PositionScaling.EXTRAPOLATE;
        private double layerScale;
        private double layerNormEps = Architecture.DEFAULT_LAYER_NORM_EPS;
        private double dropout;
        private double dropPath;
        private SizingPolicy sizing = Preprocessing.DEFAULT.sizing();
        private Interpolation interpolation = Preprocessing.DEFAULT.interpolation();
        private double cropPct = Preprocessing.DEFAULT.cropPct();
        private float[] mean;
        private float[] std;

        private Builder() {}


        /**
         * Required: {@link Architecture#imageHeight()} and {@link Architecture#imageWidth()}.
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
         * Required: {@link Architecture#patchSize()}.
         *
         * @param patchSize P
         * @return this
         */
        public Builder setPatchSize(int patchSize) {
            this.patchSize = patchSize;
            return this;
        }

        /**
         * Sets {@link Architecture#channels()}.
         *
         * @param channels C
         * @return this
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Required: {@link Architecture#width()}.
         *
         * @param width D
         * @return this
         */
        public Builder setWidth(int width) {
            this.width = width;
            return this;
        }

        /**
         * Required: {@link Architecture#depth()}.
         *
         * @param depth blocks
         * @return this
         */
        public Builder setDepth(int depth) {
            this.depth = depth;
            return this;
        }

        /**
         * Required: {@link Architecture#heads()}.
         *
         * @param heads heads
         * @return this
         */
        public Builder setHeads(int heads) {
            this.heads = heads;
            return this;
        }

        /**
         * Sets {@link Architecture#mlpRatio()}.
         *
         * @param mlpRatio ratio
         * @return this
         */
        public Builder optMlpRatio(double mlpRatio) {
            this.mlpRatio = mlpRatio;
            return this;
        }

        /**
         * Required: {@link Architecture#numClasses()}.
         *
         * @param numClasses K
         * @return this
         */
        public Builder setNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /**
         * Sets {@link Architecture#pooling()}.
         *
         * @param pooling pooling
         * @return this
         */
        public Builder optPooling(Pooling pooling) {
            this.pooling = Objects.requireNonNull(pooling, "pooling");
            return this;
        }

        /**
         * Sets {@link Architecture#classToken()}.
         *
         * @param classToken flag
         * @return this
         */
        public Builder optClassToken(boolean classToken) {
            this.classToken = classToken;
            return this;
        }

        /**
         * Sets {@link Architecture#registerTokens()}.
         *
         * @param registerTokens count
         * @return this
         */
        public Builder optRegisterTokens(int registerTokens) {
            this.registerTokens = registerTokens;
            return this;
        }

        /**
         * Sets {@link Architecture#fcNorm()}.
         *
         * @param fcNorm flag
         * @return this
         */
        public Builder optFcNorm(boolean fcNorm) {
            this.fcNorm = fcNorm;
            return this;
        }

        /**
         * Sets {@link Architecture#qkvBias()}.
         *
         * @param qkvBias flag
         * @return this
         */
        public Builder optQkvBias(boolean qkvBias) {
            this.qkvBias = qkvBias;
            return this;
        }

        /**
         * Sets {@link Architecture#keyBias()}.
         *
         * @param keyBias flag
         * @return this
         */
        public Builder optKeyBias(boolean keyBias) {
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
         * Sets {@link Architecture#posEmb()} and {@link Architecture#rope()} by name, absolute and
         * rotary joined by {@code +} ({@link PositionEmbeddingKind#parseCombination}).
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
         * Sets {@link Architecture#rope()}.
         *
         * @param rope a rotary kind or {@link PositionEmbeddingKind#NONE}
         * @return this
         */
        public Builder optRope(PositionEmbeddingKind rope) {
            this.rope = Objects.requireNonNull(rope, "rope");
            return this;
        }

        /**
         * Sets {@link Architecture#ropeLayout()}.
         *
         * @param layout layout
         * @return this
         */
        public Builder optRopeLayout(RopeLayout layout) {
            this.ropeLayout = Objects.requireNonNull(layout, "ropeLayout");
            return this;
        }

        /**
         * Sets {@link Architecture#ropeIndexing()}.
         *
         * @param indexing order
         * @return this
         */
        public Builder optRopeIndexing(RopeIndexing indexing) {
            this.ropeIndexing = Objects.requireNonNull(indexing, "ropeIndexing");
            return this;
        }

        /**
         * Sets {@link Architecture#ropeTheta()}.
         *
         * @param theta theta, above 1
         * @return this
         */
        public Builder optRopeTheta(double theta) {
            this.ropeTheta = theta;
            return this;
        }

        /**
         * Sets {@link Architecture#positionScaling()}.
         *
         * @param scaling the scaling
         * @return this
         */
        public Builder optPositionScaling(PositionScaling scaling) {
            this.positionScaling = Objects.requireNonNull(scaling, "positionScaling");
            return this;
        }

        /**
         * Sets {@link Architecture#layerScale()}.
         *
         * @param init factor, at least 0
         * @return this
         */
        public Builder optLayerScale(double init) {
            this.layerScale = init;
            return this;
        }

        /**
         * Sets {@link Architecture#posEmbLayout()}.
         *
         * @param layout layout
         * @return this
         */
        public Builder optPosEmbLayout(SinCosLayout layout) {
            this.posEmbLayout = Objects.requireNonNull(layout, "posEmbLayout");
            return this;
        }

        /**
         * Sets {@link Architecture#layerNormEps()}.
         *
         * @param eps epsilon
         * @return this
         */
        public Builder optLayerNormEps(double eps) {
            this.layerNormEps = eps;
            return this;
        }

        /**
         * Sets {@link ViTConfig#dropout()}; default 0.
         *
         * @param dropout rate in [0, 1)
         * @return this
         */
        public Builder optDropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        /**
         * Sets {@link ViTConfig#dropPath()}; default 0.
         *
         * @param dropPath rate in [0, 1)
         * @return this
         */
        public Builder optDropPath(double dropPath) {
            this.dropPath = dropPath;
            return this;
        }

        /**
         * Sets {@link Preprocessing#sizing()} by name.
         *
         * @param name policy
         * @return this
         */
        public Builder optSizing(String name) {
            this.sizing = field("sizing", () -> SizingPolicy.fromName(name));
            return this;
        }

        /**
         * Sets {@link Preprocessing#sizing()}.
         *
         * @param policy policy
         * @return this
         */
        public Builder optSizing(SizingPolicy policy) {
            this.sizing = Objects.requireNonNull(policy, "sizing");
            return this;
        }

        /**
         * Sets {@link Preprocessing#interpolation()} by name.
         *
         * @param name filter
         * @return this
         */
        public Builder optInterpolation(String name) {
            this.interpolation = field("interpolation", () -> Interpolation.fromName(name));
            return this;
        }

        /**
         * Sets {@link Preprocessing#cropPct()}.
         *
         * @param cropPct ratio in (0, 1]
         * @return this
         */
        public Builder optCropPct(double cropPct) {
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
        public Builder optNormalization(float[] mean, float[] std) {
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
        public Builder optPreprocessing(Preprocessing preprocessing) {
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
}
