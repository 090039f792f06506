package org.vit4j.infer;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Set;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;

/**
 * Makes a {@link VitTranslator} for a vit4j model directory loaded through DJL's {@code Criteria}
 * (reads the directory's {@code config.json} and {@code labels.txt}). Named in {@code
 * serving.properties}; DJL 0.36 uses it from there only when the Criteria has {@code
 * optTranslatorFactory(new DeferredTranslatorFactory())}, or pass an instance directly.
 */
public final class VitTranslatorFactory implements TranslatorFactory {

    /** {@inheritDoc} */
    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<>(Image.class, Classifications.class));
    }

    /** {@inheritDoc} */
    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments) {
        if (input != Image.class || output != Classifications.class) {
            throw new IllegalArgumentException("vit4j translates Image to Classifications, not " + input + " to " + output);
        }
        try {
            ModelFiles files = ModelFiles.of(model.getModelPath());
            ViTConfig config = ModelDirectory.readConfig(files);
            return (Translator<I, O>) new VitTranslator(config,
                    ModelDirectory.readLabels(files, config.architecture().numClasses()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
