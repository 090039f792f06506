package org.vit4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vit4j.image.ImageLoader;

/**
 * Data sets by name, as the command line's {@code --data} gives them: {@code
 * fashion-mnist[:test|:train][:N]} (optionally only the first {@code N} images of the split) or an
 * image-folder directory.
 */
public final class DataSets {

    private DataSets() {}

    /**
     * Checks a {@code --data} value before anything is loaded: a known Fashion-MNIST split, or a
     * directory that exists.
     *
     * @param spec the value
     * @return null if it is fine, else the reason
     */
    public static String problem(String spec) {
        if (spec.startsWith("fashion-mnist")) {
            String rest = spec.substring("fashion-mnist".length());
            return split(rest) != null ? null
                    : "expected fashion-mnist, fashion-mnist:train, fashion-mnist:test (each optionally"
                            + " with :N, its first N images, N >= 1) or a directory";
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            return "no such directory";
        }
        return Files.isDirectory(p) ? null : "not a directory (an image folder has one sub-folder per class)";
    }

    /**
     * Opens a data set with the default image loader.
     *
     * @param spec {@code fashion-mnist[:test|:train][:N]} or a directory
     * @param dataDir where the Fashion-MNIST IDX files are (null: the default folder)
     * @param channels 1 or 3: what the folder's images are converted to
     * @param defaultTrain the Fashion-MNIST split without {@code :train}/{@code :test}: the training one
     * @return the data set
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if {@code spec} is malformed or asks for more images than there are
     */
    public static ImageDataset open(String spec, Path dataDir, int channels, boolean defaultTrain) throws IOException {
        return open(spec, dataDir, ImageLoader.builder().optChannels(channels).build(), defaultTrain);
    }

    /**
     * Opens a data set whose folder images are read by a loader of one's own (e.g. another pixel limit).
     *
     * @param spec {@code fashion-mnist[:test|:train][:N]} or a directory
     * @param dataDir where the Fashion-MNIST IDX files are (null: the default folder)
     * @param loader reads a folder's images
     * @param defaultTrain the Fashion-MNIST split without {@code :train}/{@code :test}: the training one
     * @return the data set
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if {@code spec} is malformed or asks for more images than there are
     */
    public static ImageDataset open(String spec, Path dataDir, ImageLoader loader, boolean defaultTrain) throws IOException {
        if (spec.startsWith("fashion-mnist")) {
            String[] s = split(spec.substring("fashion-mnist".length()));
            if (s == null) {
                throw new IllegalArgumentException("--data " + spec + ": " + problem(spec));
            }
            boolean train = s[0] == null ? defaultTrain : s[0].equals("train");
            FashionMnist all = FashionMnist.load(dataDir, train);
            if (s[1] == null) {
                return all;
            }
            int n = Integer.parseInt(s[1]);
            if (n > all.size()) {
                throw new IllegalArgumentException("--data " + spec + ": " + n + " images asked, "
                        + all.describe() + " has " + all.size());
            }
            return Subset.first(all, n);
        }
        return ImageFolder.scan(Path.of(spec), loader);
    }

    /**
     * Parses what follows {@code fashion-mnist}: {@code "", ":train", ":test"}, each optionally
     * followed by {@code ":N"}.
     *
     * @param rest the text after {@code fashion-mnist}
     * @return {@code [split or null, count or null]}, or null if malformed
     */
    private static String[] split(String rest) {
        String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split(":", -1);
        if (!rest.isEmpty() && rest.charAt(0) != ':' || parts.length > 2) {
            return null;
        }
        String splitName = null;
        String count = null;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == 0 && (p.equals("train") || p.equals("test"))) {
                splitName = p;
            } else if (i == parts.length - 1 && p.matches("[1-9][0-9]{0,8}")) {
                count = p;
            } else {
                return null;
            }
        }
        return new String[] {splitName, count};
    }
}
