package org.vit4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.LongConsumer;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.VitClassifier;

/**
 * A soak benchmark: many predictions in one process, with the resident set size (RSS) sampled at
 * regular intervals, to show that native memory does not grow. A benchmark, not a test: it runs
 * for minutes.
 */
public final class SoakBenchmark {

    /**
     * The outcome.
     *
     * @param predictions predictions made
     * @param every sampling interval in predictions
     * @param rssKb RSS in KiB after each interval
     * @param seconds wall time
     */
    public record Result(long predictions, int every, List<Long> rssKb, double seconds) {

        /**
         * Growth of RSS from the end of warm-up to the end, as a fraction.
         *
         * @param warmupSamples samples counted as warm-up, at least 1
         * @return {@code (last - lastOfWarmup) / lastOfWarmup}, or empty when the soak ended
         *     within its warm-up (no sample after it)
         */
        public OptionalDouble growthAfter(int warmupSamples) {
            if (warmupSamples < 1) {
                throw new IllegalArgumentException("warm-up samples must be at least 1, got " + warmupSamples);
            }
            if (rssKb.size() <= warmupSamples) {
                return OptionalDouble.empty();
            }
            double base = rssKb.get(warmupSamples - 1);
            return OptionalDouble.of((rssKb.get(rssKb.size() - 1) - base) / base);
        }
    }

    private SoakBenchmark() {}

    /**
     * Classifies the given images round-robin, one at a time, {@code n} times.
     *
     * @param classifier the classifier
     * @param images preprocessed inputs
     * @param n predictions
     * @param every RSS sampling interval
     * @param onSample called with each RSS sample (may be null)
     * @return the samples
     * @throws IOException if {@code /proc/self/status} cannot be read (Linux only)
     */
    public static Result run(VitClassifier classifier, List<PreprocessedImage> images, long n, int every,
            LongConsumer onSample) throws IOException {
        List<Long> rss = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long i = 1; i <= n; i++) {
            classifier.classify(List.of(images.get((int) (i % images.size()))), 1);
            if (i % every == 0) {
                long kb = rssKb();
                rss.add(kb);
                if (onSample != null) {
                    onSample.accept(kb);
                }
            }
        }
        return new Result(n, every, rss, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The process's current RSS.
     *
     * @return KiB, from {@code VmRSS} in {@code /proc/self/status}
     * @throws IOException if not on Linux
     */
    public static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("/proc/self/status has no VmRSS line");
    }
}
