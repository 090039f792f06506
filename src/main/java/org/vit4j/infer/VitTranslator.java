package org.vit4j.infer;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.awt.image.BufferedImage;
import java.util.List;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.ViTConfig;

/**
 * DJL {@link Translator} from an {@link Image} to {@link Classifications}, with the model's own
 * preprocessing (sizing policy, interpolation, normalization) so a DJL {@code Predictor} gives
 * the same numbers as {@link VitClassifier}.
 */
public final class VitTranslator implements Translator<Image, Classifications> {

    private final ImagePreprocessor preprocessor;
    private final List<String> labels;

    /**
     * Creates the translator.
     *
     * @param config the model's config
     * @param labels the model's labels
     */
    public VitTranslator(ViTConfig config, List<String> labels) {
        this.preprocessor = config.preprocessor();
        this.labels = List.copyOf(labels);
    }

    /** {@inheritDoc} */
    @Override
    public NDList processInput(TranslatorContext ctx, Image input) throws Exception {
        Object wrapped = input.getWrappedImage();
        if (!(wrapped instanceof BufferedImage)) {
            throw new IllegalArgumentException(
                    "vit4j's translator needs DJL's BufferedImageFactory images, got " + wrapped.getClass());
        }
        PreprocessedImage p = preprocessor.apply((BufferedImage) wrapped);
        NDArray x = ctx.getNDManager().create(p.data(), new Shape(p.channels(), p.height(), p.width())); // (C, H, W)
        return new NDList(x);
    }

    /** {@inheritDoc} */
    @Override
    public Classifications processOutput(TranslatorContext ctx, NDList list) {
        NDArray probs = list.get(0).softmax(-1); // (K)
        return new Classifications(labels, probs);
    }

    /** {@inheritDoc} */
    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }
}
