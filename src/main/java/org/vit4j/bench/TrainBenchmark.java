package org.vit4j.bench;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.vit4j.model.ViTConfig;
import org.vit4j.train.ImageDataset;
import org.vit4j.train.Subset;
import org.vit4j.train.TrainOptions;
import org.vit4j.train.TrainingListener;
import org.vit4j.train.VitTrainer;

/**
 * Training throughput, measured on {@link VitTrainer#train} itself: the same loader, augmentation,
 * forward, backward, clipping and AdamW step as a real run, into a temporary directory, stopped
 * after the timed span (before the first checkpoint).
 */
public final class TrainBenchmark {

    private TrainBenchmark() {}

    /** Ends the run from the listener once enough has been timed. */
    private static final class Enough extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Enough() {
            super(null, null, false, false);
        }
    }

    /**
     * Trains for one epoch at most and times the steps after a warm-up.
     *
     * @param config the model
     * @param options how to train (one epoch is enough; the validation size is ignored)
     * @param device where to train
     * @param data training images
     * @param warmupSteps untimed steps first
     * @param seconds how long to time
     * @return images per second
     * @throws IOException if the temporary run directory cannot be written
     * @throws IllegalArgumentException if the data set has no step left to time after the warm-up
     */
    public static double measure(ViTConfig config, TrainOptions options, Device device, ImageDataset data,
            int warmupSteps, double seconds) throws IOException {
        long[] start = {0};
        long[] images = {0};
        long[] end = {0};
        TrainingListener timer = new TrainingListener() {
            private int steps;

            @Override
            public void onStep(int epoch, int batch, int batches, double loss, double imagesPerSecond) {
                steps++;
                long now = System.nanoTime();
                if (steps == warmupSteps) {
                    start[0] = now;
                } else if (steps > warmupSteps) {
                    images[0] += Math.min(options.batchSize(), data.size() - (long) (batch - 1) * options.batchSize());
                    end[0] = now;
                    if (now - start[0] > seconds * 1e9) {
                        throw new Enough();
                    }
                }
            }
        };
        Path dir = Files.createTempDirectory("vit4j-train-bench");
        try {
            new VitTrainer(config, options, device, timer).train(data, Subset.split(data, 0, 0)[1], dir, false);
        } catch (Enough e) {
            // timed long enough
        } finally {
            deleteTree(dir);
        }
        if (images[0] == 0) {
            throw new IllegalArgumentException("data set too small: " + data.size() + " images for "
                    + warmupSteps + " warm-up steps of " + options.batchSize());
        }
        return images[0] / ((end[0] - start[0]) / 1e9);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
