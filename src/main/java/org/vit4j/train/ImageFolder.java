package org.vit4j.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.vit4j.image.ImageLoader;

/**
 * An image-folder data set: one sub-folder per class, named after it (classes sorted by name),
 * holding images in any format {@link ImageLoader} reads. Images are decoded when read.
 */
public final class ImageFolder implements ImageDataset {

    private final Path root;
    private final List<String> labels;
    private final List<Path> files;
    private final int[] classes;
    private final ImageLoader loader;

    private ImageFolder(Path root, List<String> labels, List<Path> files, int[] classes, ImageLoader loader) {
        this.root = root;
        this.labels = List.copyOf(labels);
        this.files = List.copyOf(files);
        this.classes = classes;
        this.loader = loader;
    }

    /**
     * Scans a folder.
     *
     * @param root the folder with one sub-folder per class
     * @param channels 1 or 3: what images are converted to
     * @return the data set
     * @throws IOException if the folder is missing, has no class folders or no images
     */
    public static ImageFolder scan(Path root, int channels) throws IOException {
        return scan(root, ImageLoader.builder().optChannels(channels).build());
    }

    /**
     * Scans a folder, decoding with a loader of one's own (e.g. another pixel limit).
     *
     * @param root the folder with one sub-folder per class
     * @param loader decodes the images (and sets their channels)
     * @return the data set
     * @throws IOException if the folder is missing, has no class folders or no images
     */
    public static ImageFolder scan(Path root, ImageLoader loader) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory");
        }
        List<Path> classDirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).sorted().forEach(classDirs::add);
        }
        if (classDirs.isEmpty()) {
            throw new IOException(root + ": no class sub-folders (expected one folder per class)");
        }
        List<String> labels = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            labels.add(classDirs.get(c).getFileName().toString());
            try (Stream<Path> s = Files.walk(classDirs.get(c))) {
                // a link that cannot be followed (dangling, a loop) is kept: reading it fails, and the
                // run names it and goes on, rather than leaving it out unseen
                List<Path> imgs = s.filter(p -> Files.isRegularFile(p) || Files.isSymbolicLink(p) && !Files.exists(p))
                        .filter(ImageLoader::isImageFile).sorted().toList();
                for (Path p : imgs) {
                    files.add(p);
                    classes.add(c);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException(root + ": no image files in its class folders");
        }
        return new ImageFolder(root, labels, files, classes.stream().mapToInt(Integer::intValue).toArray(), loader);
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public int label(int index) {
        return classes[index];
    }

    /**
     * @param index image index
     * @return its file
     */
    public Path file(int index) {
        return files.get(index);
    }

    @Override
    public String name(int index) {
        return files.get(index).toString();
    }

    @Override
    public Pixels pixels(int index) throws IOException {
        BufferedImage img = loader.load(files.get(index));
        return new Pixels(ImageLoader.toPlanar(img, loader.getChannels()), loader.getChannels(),
                img.getHeight(), img.getWidth());
    }

    /** A SHA-256 of every file's path (relative to the root), size and class, in order. */
    @Override
    public String fingerprint() throws IOException {
        java.security.MessageDigest md = Fingerprints.sha256();
        for (int i = 0; i < files.size(); i++) {
            String entry = root.relativize(files.get(i)) + "\t" + size(files.get(i))
                    + "\t" + labels.get(classes[i]) + "\n";
            md.update(entry.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return Fingerprints.hex(md.digest());
    }

    /** A file's size, or -1 for one that cannot be read (a dangling link, left out when it is loaded). */
    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public String describe() {
        return root + " (" + files.size() + " images, " + labels.size() + " classes)";
    }
}
