package org.vit4j.train;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a tiny Fashion-MNIST look-alike: gzip IDX files of 28x28 images whose class {@code k}
 * is a bright horizontal bar at rows {@code 2k+2 .. 2k+3} on seeded noise, labels {@code i % 10}.
 */
public final class TinyFashion {

    private TinyFashion() {}

    /**
     * Writes the four files.
     *
     * @param dir target directory
     * @param train training images
     * @param test test images
     * @throws IOException if writing fails
     */
    public static void write(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(2024);
        writeSplit(dir, "train", train, r);
        writeSplit(dir, "t10k", test, r);
    }

    /** The pixel bytes of image {@code i} of class {@code k}. */
    static byte[] image(int k, Random r) {
        byte[] px = new byte[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                boolean bar = y == 2 * k + 2 || y == 2 * k + 3;
                px[y * 28 + x] = (byte) (bar ? 200 + r.nextInt(56) : r.nextInt(40));
            }
        }
        return px;
    }

    private static void writeSplit(Path dir, String prefix, int n, Random r) throws IOException {
        byte[] images = new byte[n * 28 * 28];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
            System.arraycopy(image(i % 10, r), 0, images, i * 28 * 28, 28 * 28);
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), gzip(idx(images, n, 28, 28)));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), gzip(idx(labels, n)));
    }

    /** An unsigned-byte IDX file: magic 0x0800 | rank, big-endian dims, data. */
    static byte[] idx(byte[] data, int... dims) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        out.flush();
        return bos.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }
}
