package org.vit4j.examples;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.vit4j.image.ImageLoader;
import org.vit4j.infer.Classification;
import org.vit4j.infer.InferenceModel;

/**
 * Classifies every image of a folder and computes its patch embeddings with one loaded model and
 * its two views; prints the best label, its probability, the size of the pooled vector and the
 * shape of the patch embeddings. Usage: {@code ClassifyExample [model-dir [image-dir]]}; without arguments
 * it uses the model bundled in the jar and {@code sample-images/}.
 */
public final class ClassifyExample {

    private ClassifyExample() {}

    /**
     * Runs the example.
     *
     * @param args optional model directory, optional image directory
     * @throws Exception if the model or an image cannot be loaded
     */
    public static void main(String[] args) throws Exception {
        Path images = Path.of(args.length > 1 ? args[1] : "sample-images");
        try (InferenceModel model = args.length > 0
                        ? InferenceModel.load(Path.of(args[0]), Device.cpu())
                        : InferenceModel.bundled(Device.cpu());
                Stream<Path> files = Files.list(images)) {
            List<Path> sorted = files.filter(ImageLoader::isImageFile).sorted().toList();
            for (Path file : sorted) {
                Classification c = model.classifier().classify(file, 1);
                float[][] patches = model.encoder().embedded(file); // (N, D)
                System.out.printf("%s\t%s\t%.4f\tpooled %d\tpatch embeddings %dx%d%n", file.getFileName(),
                        c.best().label(), c.best().probability(), c.pooled().length, patches.length, patches[0].length);
            }
        }
    }
}
