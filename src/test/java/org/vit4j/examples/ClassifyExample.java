package org.vit4j.examples;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.vit4j.image.ImageLoader;
import org.vit4j.infer.Classification;
import org.vit4j.infer.VitClassifier;

/**
 * Classifies every image of a folder and prints the best label, its probability and the size of
 * the pooled embedding. Usage: {@code ClassifyExample [model-dir [image-dir]]}; without arguments
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
        try (VitClassifier clf = args.length > 0
                        ? VitClassifier.load(Path.of(args[0]), Device.cpu())
                        : VitClassifier.bundled(Device.cpu());
                Stream<Path> files = Files.list(images)) {
            List<Path> sorted = files.filter(ImageLoader::isImageFile).sorted().toList();
            for (Path file : sorted) {
                Classification c = clf.classify(file, 1);
                System.out.printf("%s\t%s\t%.4f\tembedding %d%n",
                        file.getFileName(), c.best().label(), c.best().probability(), c.embedding().length);
            }
        }
    }
}
