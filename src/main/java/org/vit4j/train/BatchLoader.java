package org.vit4j.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;

/**
 * Builds batches {@code (B, C, H, W)} of preprocessed images in a background thread while the
 * model computes. Every image's random choices come from its own generator, seeded by the run
 * seed and the image's position in the run, so batches do not depend on threads or on where a
 * run was resumed. An image that cannot be read is left out of its batch and named in the batch's
 * {@code skipped} list ({@code NAME: REASON}); a batch of only such images has size 0.
 */
final class BatchLoader implements Iterator<BatchLoader.Batch>, AutoCloseable {

    /** A batch: images {@code (B, C, H, W)} flattened, their labels, and the images left out. */
    record Batch(float[] images, int[] labels, int size, int channels, int height, int width, List<String> skipped) {}

    private static final Batch END = new Batch(null, null, 0, 0, 0, 0, List.of());

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(3);
    private final Thread worker;
    private Object next;

    /**
     * Starts loading.
     *
     * @param data the data set
     * @param order image indices in visiting order
     * @param batchSize B; a final partial batch is kept
     * @param pre the model's preprocessor
     * @param augment augmentation, or {@link Augment#NONE}
     * @param seed run seed
     * @param stream distinguishes runs over the same data (e.g. the epoch)
     * @param scramble a fixed shuffle grid applied to every image (evaluation), or null
     */
    BatchLoader(ImageDataset data, int[] order, int batchSize, ImagePreprocessor pre, Augment augment,
            long seed, long stream, ShuffleGrid scramble) {
        worker = new Thread(() -> run(data, order, batchSize, pre, augment, seed, stream, scramble),
                "vit4j-batch-loader");
        worker.setDaemon(true);
        worker.start();
    }

    private void run(ImageDataset data, int[] order, int batchSize, ImagePreprocessor pre, Augment augment,
            long seed, long stream, ShuffleGrid scramble) {
        try {
            for (int start = 0; start < order.length; start += batchSize) {
                int b = Math.min(batchSize, order.length - start);
                float[] images = null;
                int[] labels = new int[b];
                List<String> skipped = new ArrayList<>();
                int c = 0;
                int h = 0;
                int w = 0;
                int kept = 0;
                for (int i = 0; i < b; i++) {
                    int idx = order[start + i];
                    long position = start + i;
                    Random rng = new Random(Scrambler.imageSeed(seed ^ (stream * 0x9E3779B97F4A7C15L), position));
                    ImageDataset.Pixels px;
                    PreprocessedImage p;
                    try {
                        px = augment.apply(data.pixels(idx), rng);
                        p = pre.apply(px.data(), px.channels(), px.height(), px.width());
                    } catch (IOException | RuntimeException e) {
                        skipped.add(problem(data.name(idx), e));
                        continue;
                    } catch (OutOfMemoryError e) {
                        skipped.add(data.name(idx) + ": not enough memory to decode this image");
                        continue;
                    }
                    float[] x = p.data();
                    if (augment.scrambleProb() > 0 && rng.nextDouble() < augment.scrambleProb()) {
                        ShuffleGrid g = augment.scrambleGrid();
                        x = Scrambler.apply(x, p.channels(), p.height(), p.width(), g,
                                Scrambler.permutation(g.size(), rng.nextLong()));
                    }
                    if (scramble != null) {
                        x = Scrambler.apply(x, p.channels(), p.height(), p.width(), scramble,
                                Scrambler.permutation(scramble.size(), Scrambler.imageSeed(seed, idx)));
                    }
                    if (images == null) {
                        c = p.channels();
                        h = p.height();
                        w = p.width();
                        images = new float[b * x.length];
                    } else if (x.length * b != images.length) {
                        throw new IOException("image " + idx + " preprocessed to another size than the"
                                + " first of its batch; use a fixed-size sizing policy for batches");
                    }
                    System.arraycopy(x, 0, images, kept * x.length, x.length);
                    labels[kept++] = data.label(idx);
                }
                if (kept < b && images != null) {
                    images = Arrays.copyOf(images, images.length / b * kept);
                    labels = Arrays.copyOf(labels, kept);
                }
                queue.put(new Batch(images, labels, kept, c, h, w, List.copyOf(skipped)));
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            try {
                queue.put(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code NAME: REASON}, without the name twice when the reason already starts with it. */
    private static String problem(String name, Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.startsWith(name + ": ") ? m : name + ": " + m;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading a batch", e);
            }
        }
        if (next instanceof Exception) {
            Exception e = (Exception) next;
            throw new IllegalStateException("loading a batch failed: " + e.getMessage(), e);
        }
        return next != END;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Batch b = (Batch) next;
        next = null;
        return b;
    }

    @Override
    public void close() {
        worker.interrupt();
    }
}
