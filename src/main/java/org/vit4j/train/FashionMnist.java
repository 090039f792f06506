package org.vit4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017): 60 000 training and 10 000 test grey 28×28 images of 10
 * clothing classes, read from the original gzip IDX files. Debian's {@code dataset-fashion-mnist}
 * package installs them in {@link #DEBIAN_DIR}.
 */
public final class FashionMnist implements ImageDataset {

    /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names, in label order. */
    public static final List<String> LABELS =
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                    "Sneaker", "Bag", "Ankle boot");

    private final String split;
    private final byte[] images;
    private final byte[] labels;
    private final int count;
    private final int rows;
    private final int cols;

    private FashionMnist(String split, IdxFile images, IdxFile labels) {
        this.split = split;
        this.images = images.data();
        this.labels = labels.data();
        this.count = images.dims()[0];
        this.rows = images.dims()[1];
        this.cols = images.dims()[2];
    }

    /**
     * Loads a split.
     *
     * @param dir the directory with the four IDX files, or null for {@link #DEBIAN_DIR}
     * @param train true for the 60 000 training images, false for the 10 000 test images
     * @return the data set
     * @throws IOException if the files are missing (saying how to install them) or malformed
     */
    public static FashionMnist load(Path dir, boolean train) throws IOException {
        Path d = dir == null ? DEBIAN_DIR : dir;
        String prefix = train ? "train" : "t10k";
        Path img = find(d, prefix + "-images-idx3-ubyte");
        Path lab = find(d, prefix + "-labels-idx1-ubyte");
        IdxFile images = IdxFile.read(img);
        IdxFile labels = IdxFile.read(lab);
        if (images.dims().length != 3) {
            throw new IOException(img + ": expected a rank-3 image file, got rank " + images.dims().length);
        }
        if (labels.dims().length != 1 || labels.dims()[0] != images.dims()[0]) {
            throw new IOException(
                    lab + ": " + labels.dims()[0] + " labels for " + images.dims()[0] + " images");
        }
        for (byte b : labels.data()) {
            if (b < 0 || b >= LABELS.size()) {
                throw new IOException(lab + ": label " + b + " is outside 0.." + (LABELS.size() - 1));
            }
        }
        return new FashionMnist(train ? "train" : "test", images, labels);
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException(
                "Fashion-MNIST file " + base + "(.gz) not found in " + dir
                        + "; install it with 'sudo apt-get install dataset-fashion-mnist'"
                        + " or pass --data-dir DIR holding the four IDX files");
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public List<String> labels() {
        return LABELS;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public Pixels pixels(int index) {
        int n = rows * cols;
        float[] out = new float[n];
        int off = index * n;
        for (int i = 0; i < n; i++) {
            out[i] = (images[off + i] & 0xff) / 255f;
        }
        return new Pixels(out, 1, rows, cols);
    }

    /**
     * The raw bytes of one image, as a PNG of it would hold them.
     *
     * @param index image index
     * @return {@code rows·cols} grey values
     */
    public byte[] rawImage(int index) {
        byte[] out = new byte[rows * cols];
        System.arraycopy(images, index * rows * cols, out, 0, out.length);
        return out;
    }

    /** @return image height */
    public int rows() {
        return rows;
    }

    /** @return image width */
    public int cols() {
        return cols;
    }

    /** A SHA-256 of the images' and labels' bytes. */
    @Override
    public String fingerprint() {
        java.security.MessageDigest md = Fingerprints.sha256();
        md.update(images);
        md.update(labels);
        return Fingerprints.hex(md.digest());
    }

    @Override
    public String describe() {
        return "fashion-mnist:" + split + " (" + count + " images)";
    }
}
