package org.vit4j.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.vit4j.model.ModelDirectory;

/**
 * Class names for models that come without them: the ImageNet-1k names shipped with vit4j, or
 * {@code class_0 .. class_K-1} ({@link #defaults}, the one place of that form).
 */
public final class Labels {

    /** Classpath resource with the 1000 ImageNet-1k class names, one per line, index = class. */
    public static final String IMAGENET1K_RESOURCE = "/org/vit4j/interop/imagenet1k_labels.txt";

    private Labels() {}

    /**
     * The ImageNet-1k class names in the usual class-index order, as listed by torchvision's
     * {@code ViT_B_16_Weights.IMAGENET1K_V1.meta['categories']} (the same order timm and Hugging
     * Face ImageNet-1k heads use).
     *
     * @return 1000 names
     */
    public static List<String> imagenet1k() {
        try (InputStream in = Labels.class.getResourceAsStream(IMAGENET1K_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + IMAGENET1K_RESOURCE + " missing from the jar");
            }
            List<String> names = ModelDirectory.parseLabels(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (names.size() != 1000) {
                throw new IllegalStateException(IMAGENET1K_RESOURCE + " has " + names.size() + " names, expected 1000");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The labels used when none are given: ImageNet-1k names for 1000 classes, else
     * {@code class_0 .. class_K-1}.
     *
     * @param numClasses K
     * @return K labels
     */
    public static List<String> defaults(int numClasses) {
        if (numClasses == 1000) {
            return imagenet1k();
        }
        List<String> names = new ArrayList<>(numClasses);
        for (int k = 0; k < numClasses; k++) {
            names.add("class_" + k);
        }
        return List.copyOf(names);
    }
}
