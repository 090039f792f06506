package org.vit4j.model;

import com.google.gson.annotations.JsonAdapter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.vit4j.image.ImagePreprocessor;

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
 * the {@link ViTConfigBuilder} starts from.
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
    public static ViTConfigBuilder builder() {
        return new ViTConfigBuilder();
    }

    /** @return a builder holding this config's values, to derive a changed copy */
    public ViTConfigBuilder toBuilder() {
        Architecture a = architecture;
        ViTConfigBuilder b = new ViTConfigBuilder();
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
        return ConfigJson.WRITER.toJson(this);
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
}
