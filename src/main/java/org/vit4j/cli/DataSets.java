package org.vit4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vit4j.image.ImageLoader;
import org.vit4j.train.FashionMnist;
import org.vit4j.train.ImageDataset;
import org.vit4j.train.ImageFolder;

/** Resolves {@code --data fashion-mnist[:test|:train]} or an image-folder directory. */
final class DataSets {

    private DataSets() {}

    /**
     * Checks a {@code --data} value before anything is loaded: a known Fashion-MNIST split, or a
     * directory that exists.
     *
     * @param spec the value
     * @return null if it is fine, else the reason
     */
    static String problem(String spec) {
        if (spec.startsWith("fashion-mnist")) {
            String rest = spec.substring("fashion-mnist".length());
            return rest.isEmpty() || rest.equals(":train") || rest.equals(":test") ? null
                    : "expected fashion-mnist, fashion-mnist:train, fashion-mnist:test or a directory";
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            return "no such directory";
        }
        return Files.isDirectory(p) ? null : "not a directory (an image folder has one sub-folder per class)";
    }

    static ImageDataset open(String spec, Path dataDir, int channels, boolean defaultTrain) throws IOException {
        return open(spec, dataDir, ImageLoader.builder().optChannels(channels).build(), defaultTrain);
    }

    static ImageDataset open(String spec, Path dataDir, ImageLoader loader, boolean defaultTrain) throws IOException {
        if (spec.startsWith("fashion-mnist")) {
            String rest = spec.substring("fashion-mnist".length());
            boolean train;
            if (rest.isEmpty()) {
                train = defaultTrain;
            } else if (rest.equals(":train")) {
                train = true;
            } else if (rest.equals(":test")) {
                train = false;
            } else {
                throw new IllegalArgumentException("--data '" + spec + "': expected fashion-mnist, fashion-mnist:train or fashion-mnist:test");
            }
            return FashionMnist.load(dataDir, train);
        }
        return ImageFolder.scan(Path.of(spec), loader);
    }
}
