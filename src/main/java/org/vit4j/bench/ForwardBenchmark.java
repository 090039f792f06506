package org.vit4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.model.ModelCost;
import org.vit4j.model.VitModel;

/**
 * Measures model forward throughput: repeated inference-mode forward passes on random input at the
 * measured shape, first until their times have settled ({@link WarmUp}), then timed per pass and
 * reported as the median rate (machines here are noisy; a median of many passes is steadier than a
 * mean). Also measures the engine's fp32 matrix-multiply rate, so a model's achieved GFLOP/s can be
 * put against what the machine can do, and profiles passes operator by operator ({@link #profile}).
 */
public final class ForwardBenchmark {

    /**
     * A result.
     *
     * @param imagesPerSecond median images per second
     * @param batchSize images per pass
     * @param passes timed passes
     * @param gflopsPerImage model cost per image (2 FLOPs per multiply-add)
     * @param device device name
     * @param warmUp the warm-up's passes at the measured shape
     * @param minorFaultsPerPass minor page faults of the process per timed pass ({@link PageFaults}),
     *     or -1 where unknown
     */
    public record Result(double imagesPerSecond, int batchSize, int passes, double gflopsPerImage, String device,
            WarmUp.Outcome warmUp, double minorFaultsPerPass) {
        /** @return achieved GFLOP/s */
        public double gflops() {
            return imagesPerSecond * gflopsPerImage;
        }
    }

    private ForwardBenchmark() {}

    /**
     * Benchmarks a model's forward pass.
     *
     * @param model the model
     * @param height input height
     * @param width input width
     * @param batchSize B
     * @param seconds how long to measure (after the warm-up: {@link #DEFAULT_WARMUP_LIMIT} at most)
     * @return the result
     */
    public static Result forward(VitModel model, int height, int width, int batchSize, double seconds) {
        return forward(InferenceForward.eager(model), height, width, batchSize, seconds, DEFAULT_WARMUP_LIMIT);
    }

    /** The longest warm-up, in seconds, before timing starts anyway (the result says so). */
    public static final double DEFAULT_WARMUP_LIMIT = 60;

    /**
     * Benchmarks an inference forward (compiled or eager).
     *
     * @param forward the forward
     * @param height input height
     * @param width input width
     * @param batchSize B
     * @param seconds how long to measure, after the warm-up
     * @param warmUpLimit the longest warm-up in seconds ({@link WarmUp#run})
     * @return the result
     */
    public static Result forward(InferenceForward forward, int height, int width, int batchSize, double seconds,
            double warmUpLimit) {
        VitModel model = forward.model();
        int c = model.getConfig().architecture().channels();
        try (NDManager m = model.newManager()) {
            NDArray x = m.randomNormal(0f, 1f, new Shape(batchSize, c, height, width), DataType.FLOAT32);
            WarmUp.Outcome warm = WarmUp.run(() -> pass(forward, x), warmUpLimit);
            List<Double> rates = new ArrayList<>();
            long faults = PageFaults.minor();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (rates.size() < 3 || System.nanoTime() < end) {
                long t0 = System.nanoTime();
                pass(forward, x);
                rates.add(batchSize / ((System.nanoTime() - t0) / 1e9));
            }
            double faultsPerPass = faults < 0 ? -1 : (double) (PageFaults.minor() - faults) / rates.size();
            double gflop = ModelCost.flopsPerImage(model.getConfig().toBuilder().setImageSize(height, width).build()) / 1e9;
            return new Result(median(rates), batchSize, rates.size(), gflop, model.getDevice().toString(), warm,
                    faultsPerPass);
        }
    }

    /**
     * Profiles passes with libtorch's profiler after a warm-up at the shape: writes the Chrome
     * trace ({@code JniUtils.startProfile(false, true, false)} ... {@code stopProfile(file)}) and
     * reads its operator table.
     *
     * @param forward the forward
     * @param height input height
     * @param width input width
     * @param batchSize B
     * @param passes profiled passes
     * @param warmUpLimit the longest warm-up in seconds
     * @param trace where libtorch writes the trace (a JSON file, viewable in chrome://tracing or
     *     Perfetto), as it is: its directory must exist; {@code vit4j bench --profile} gives a
     *     temporary file and copies it to the output it checked ({@link org.vit4j.io.OutputFile})
     * @return operators by self time over all profiled passes
     * @throws IOException if the trace cannot be read back
     */
    public static List<OperatorProfile.Row> profile(InferenceForward forward, int height, int width, int batchSize,
            int passes, double warmUpLimit, Path trace) throws IOException {
        int c = forward.model().getConfig().architecture().channels();
        try (NDManager m = forward.model().newManager()) {
            NDArray x = m.randomNormal(0f, 1f, new Shape(batchSize, c, height, width), DataType.FLOAT32);
            WarmUp.run(() -> pass(forward, x), warmUpLimit);
            JniUtils.startProfile(false, true, false);
            try {
                for (int i = 0; i < passes; i++) {
                    pass(forward, x);
                }
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            return OperatorProfile.read(trace);
        }
    }

    private static void pass(InferenceForward forward, NDArray x) {
        try (NDManager step = x.getManager().newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(step);
            float[] sink = forward.forward(in).get(0).toFloatArray(); // forces the computation to finish
            if (sink.length == 0) {
                throw new IllegalStateException("empty output");
            }
        }
    }

    /**
     * The engine's fp32 matrix-multiply rate, {@code n×n · n×n} (2n³ FLOPs), median of several.
     *
     * @param manager a manager on the device to measure
     * @param n matrix side, e.g. 2048
     * @param seconds how long to measure
     * @return GFLOP/s
     */
    public static double matmulGflops(NDManager manager, int n, double seconds) {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            List<Double> rates = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            for (int i = 0; i < 2; i++) {
                a.matMul(b).toFloatArray(); // warm-up
            }
            while (rates.size() < 3 || System.nanoTime() < end) {
                try (NDManager step = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray r = a.matMul(b);
                    r.attach(step);
                    r.get(0, 0).getFloat();
                    rates.add(2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9) / 1e9);
                }
            }
            return median(rates);
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
