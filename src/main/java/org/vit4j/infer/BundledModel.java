package org.vit4j.infer;

import org.vit4j.model.ModelFiles;

/**
 * The Fashion-MNIST classifier that ships inside the vit4j jar (trained with the commands in
 * docs/bundled-model.md; its {@code metrics.jsonl} and {@code train.json} sit beside the weights in the
 * repository, and so does {@code test-metrics.json}, the output of
 * {@code vit4j eval --data fashion-mnist --format json}). It loads from the classpath: nothing is
 * extracted or written.
 */
public final class BundledModel {

    /** Classpath folder of the bundled model. */
    public static final String RESOURCE = "org/vit4j/bundled/fashion-vit";

    private BundledModel() {}

    /** @return the bundled model's files */
    public static ModelFiles files() {
        return ModelFiles.ofResource(RESOURCE);
    }

    /** @return whether the bundled model is on the classpath */
    public static boolean isAvailable() {
        return BundledModel.class.getClassLoader().getResource(RESOURCE + "/config.json") != null;
    }
}
