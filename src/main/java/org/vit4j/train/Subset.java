package org.vit4j.train;

import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * A view of some images of another data set, e.g. the two sides of a seeded train/validation
 * split.
 */
public final class Subset implements ImageDataset {

    private final ImageDataset base;
    private final int[] indices;
    private final String name;

    private Subset(ImageDataset base, int[] indices, String name) {
        this.base = base;
        this.indices = indices;
        this.name = name;
    }

    /**
     * Splits a data set with a seeded shuffle.
     *
     * @param base the data set
     * @param holdOut how many images go to the second part
     * @param seed the seed
     * @return {@code [train, validation]}
     */
    public static Subset[] split(ImageDataset base, int holdOut, long seed) {
        if (holdOut < 0 || holdOut >= base.size()) {
            throw new IllegalArgumentException(
                    "validation size " + holdOut + " must be in [0, " + base.size() + ")");
        }
        int[] perm = new int[base.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        Random r = new Random(seed);
        for (int i = perm.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] val = java.util.Arrays.copyOfRange(perm, 0, holdOut);
        int[] train = java.util.Arrays.copyOfRange(perm, holdOut, perm.length);
        java.util.Arrays.sort(val);
        java.util.Arrays.sort(train);
        return new Subset[] {
            new Subset(base, train, base.describe() + " minus " + holdOut + " for validation"),
            new Subset(base, val, holdOut + " validation images of " + base.describe())
        };
    }

    /**
     * The first images of a data set, in their order: a fixed, seed-free part of it (Fashion-MNIST's
     * files are already in a shuffled order), so every run of an experiment sees the same images.
     *
     * @param base the data set
     * @param count how many images, in [1, base size]
     * @return images {@code 0 .. count-1} of {@code base}
     */
    public static Subset first(ImageDataset base, int count) {
        if (count < 1 || count > base.size()) {
            throw new IllegalArgumentException(
                    "subset size " + count + " must be in [1, " + base.size() + "] (" + base.describe() + ")");
        }
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = i;
        }
        return new Subset(base, idx, "first " + count + " images of " + base.describe());
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public List<String> labels() {
        return base.labels();
    }

    @Override
    public int label(int index) {
        return base.label(indices[index]);
    }

    @Override
    public String name(int index) {
        return base.name(indices[index]);
    }

    @Override
    public Pixels pixels(int index) throws IOException {
        return base.pixels(indices[index]);
    }

    /** A SHA-256 of the base data set's fingerprint and this subset's indices. */
    @Override
    public String fingerprint() throws IOException {
        String b = base.fingerprint();
        if (b == null) {
            return null;
        }
        java.security.MessageDigest md = Fingerprints.sha256();
        md.update(b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i : indices) {
            md.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
        }
        return Fingerprints.hex(md.digest());
    }

    @Override
    public String describe() {
        return name;
    }
}
