package org.vit4j.bench;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * after the timed span (before the first checkpoint). Also measured over the same span: how much of
 * the time the steps waited for the loader thread, and the loader thread's share of the process's
 * CPU time (decoding, augmenting and resizing, which on a machine with few cores competes with the
 * model's threads even when no step waits).
 */
public final class TrainBenchmark {

    private TrainBenchmark() {}

    /** The loader thread's name ({@code BatchLoader}). */
    private static final String LOADER_THREAD = "vit4j-batch-loader";

    /**
     * What one measurement found.
     *
     * @param imagesPerSecond training throughput
     * @param dataWaitShare fraction of the timed span the steps spent waiting for their batch
     * @param loaderCpuShare the loader thread's CPU time over the process's, in the timed span
     *     (NaN where the JVM does not report thread or process CPU time)
     * @param stepCpuMsPerImage the process's CPU time outside the loader thread per image, in
     *     milliseconds (all compute threads together; less sensitive than wall time to other load
     *     on the machine, so a change can be compared while the machine is shared); NaN where the
     *     JVM does not report CPU time
     */
    public record Result(double imagesPerSecond, double dataWaitShare, double loaderCpuShare, double stepCpuMsPerImage) {}

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
     * @return throughput and the data loading's shares
     * @throws IOException if the temporary run directory cannot be written
     * @throws IllegalArgumentException if the data set has no step left to time after the warm-up
     */
    public static Result measure(ViTConfig config, TrainOptions options, Device device, ImageDataset data,
            int warmupSteps, double seconds) throws IOException {
        return measure(config, options, device, data, warmupSteps, seconds, null, 0);
    }

    /**
     * {@link #measure(ViTConfig, TrainOptions, Device, ImageDataset, int, double)}, then, when
     * {@code trace} is given, profiles the next steps with libtorch's profiler ({@code
     * JniUtils.startProfile(false, true, false)} ... {@code stopProfile(trace)}): forward,
     * backward and optimizer operators of whole steps, outside the timed span.
     *
     * @param config the model
     * @param options how to train
     * @param device where to train
     * @param data training images
     * @param warmupSteps untimed steps first
     * @param seconds how long to time
     * @param trace where libtorch writes the Chrome trace, as it is (its directory must exist;
     *     {@code vit4j bench --profile} gives a temporary file and copies it to the output it
     *     checked), or null for none
     * @param profiledSteps steps profiled after the timed span (ignored without a trace)
     * @return throughput and the data loading's shares
     * @throws IOException if the temporary run directory cannot be written
     * @throws IllegalArgumentException if the data set has no step left to time (and profile)
     */
    public static Result measure(ViTConfig config, TrainOptions options, Device device, ImageDataset data,
            int warmupSteps, double seconds, Path trace, int profiledSteps) throws IOException {
        long[] start = {0};
        long[] images = {0};
        long[] end = {0};
        double[] waited = {0};
        int[] profiled = {-1}; // steps profiled so far; -1 before the profiler starts, -2 after it stopped
        long[] cpu = new long[4]; // loader and process CPU nanoseconds at the start and the end
        TrainingListener timer = new TrainingListener() {
            private int steps;
            private double lastWait;

            @Override
            public void onBatchWait(double secs) {
                lastWait = secs; // the wait before step steps + 1: counted once that step is timed
            }

            @Override
            public void onStep(int epoch, int batch, int batches, double loss, double imagesPerSecond) {
                steps++;
                long now = System.nanoTime();
                if (steps == warmupSteps) {
                    start[0] = now;
                    cpu[0] = loaderCpu();
                    cpu[1] = processCpu();
                } else if (profiled[0] >= 0) {
                    if (++profiled[0] == profiledSteps) {
                        profiled[0] = -2; // done
                        JniUtils.stopProfile(trace.toString());
                        throw new Enough();
                    }
                } else if (steps > warmupSteps) {
                    images[0] += Math.min(options.batchSize(), data.size() - (long) (batch - 1) * options.batchSize());
                    waited[0] += lastWait;
                    end[0] = now;
                    if (now - start[0] > seconds * 1e9) {
                        cpu[2] = loaderCpu();
                        cpu[3] = processCpu();
                        if (trace == null || profiledSteps <= 0) {
                            throw new Enough();
                        }
                        profiled[0] = 0;
                        JniUtils.startProfile(false, true, false);
                    }
                }
            }
        };
        // the run's files are the benchmark's own: a temporary directory, deleted below
        Path dir = Files.createTempDirectory("vit4j-train-bench");
        try {
            new VitTrainer(config, options, device, timer).train(data, Subset.split(data, 0, 0)[1], dir, false);
        } catch (Enough e) {
            // timed long enough
        } finally {
            if (profiled[0] >= 0) { // the data ran out before the profiled steps
                JniUtils.stopProfile(trace.toString());
            }
            deleteTree(dir);
        }
        if (images[0] == 0) {
            throw new IllegalArgumentException("data set too small: " + data.size() + " images for "
                    + warmupSteps + " warm-up steps of " + options.batchSize());
        }
        double span = (end[0] - start[0]) / 1e9;
        double cpuShare = cpu[0] < 0 || cpu[1] < 0 || cpu[2] <= 0 || cpu[3] <= cpu[1] ? Double.NaN
                : (double) (cpu[2] - cpu[0]) / (cpu[3] - cpu[1]);
        double stepCpu = Double.isNaN(cpuShare) ? Double.NaN
                : ((cpu[3] - cpu[1]) - (cpu[2] - cpu[0])) / 1e6 / images[0];
        return new Result(images[0] / span, waited[0] / span, cpuShare, stepCpu);
    }

    /** CPU nanoseconds of the loader thread so far, or -1 if the JVM does not report them. */
    private static long loaderCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (LOADER_THREAD.equals(t.getName())) {
                sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    /** CPU nanoseconds of the whole process so far (JVM and libtorch threads), or -1. */
    private static long processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
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
