package org.vit4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.vit4j.train.FashionMnist;
import org.vit4j.train.ImageDataset;
import org.vit4j.train.ImageFolder;

/** Resolves {@code --data fashion-mnist[:test|:train]} or an image-folder directory. */
final class DataSets {

    private DataSets() {}

    static ImageDataset open(String spec, Path dataDir, int channels, boolean defaultTrain) throws IOException {
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
        return ImageFolder.scan(Path.of(spec), channels);
    }
}
