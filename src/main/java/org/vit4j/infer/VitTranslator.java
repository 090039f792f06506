package org.vit4j.infer;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
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
 * the same numbers as {@link VitClassifier}. Images of any DJL {@code ImageFactory} are accepted
 * (non-{@code BufferedImage} ones are read through {@link Image#toNDArray}).
 *
 * <ul>
 *   <li>Model input: {@code (C, H, W)} per image, batched by {@link Batchifier#STACK} to {@code (B,
 *       C, H, W)}.
 *   <li>Model output per image: {@code NDList(logits (K), pooled (D))}.
 *   <li>Result: the softmax of the logits, labelled with the model's labels.
 * </ul>
 *
 * <p>Like every DJL translator it is used through a {@code Predictor}, which is not thread-safe:
 * use one predictor per thread.
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
        BufferedImage picture = DjlImages.toBufferedImage(input, ctx.getNDManager());
        PreprocessedImage p = preprocessor.apply(picture);
        NDArray x = ctx.getNDManager().create(p.data(), new Shape(p.channels(), p.height(), p.width())); // (C, H, W)
        return new NDList(x);
    }

    /** {@inheritDoc} */
    @Override
    public Classifications processOutput(TranslatorContext ctx, NDList list) {
        NDArray probs = list.get(0).softmax(-1); // logits (K) -> probabilities (K); list.get(1) is pooled (D)
        return new Classifications(labels, probs);
    }

    /** {@inheritDoc} */
    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }
}
