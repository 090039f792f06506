package org.vit4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When repeated passes at one input shape have settled: the JIT has profiled and optimized the
 * program for the shape, the allocator holds the shape's buffers and oneDNN has created its
 * primitives. A short run that starts timing earlier measures some of that (at batch 32 the first
 * passes are several times slower than the settled ones).
 *
 * <p>Rule: at least {@link #MIN_PASSES} passes, and the median time of the last {@link #WINDOW}
 * passes within {@link #TOLERANCE} of the median of the {@link #WINDOW} before them (no trend left).
 */
public final class WarmUp {

    /** Passes before the rule is tried. */
    public static final int MIN_PASSES = 2 * 3;

    /** Passes per window. */
    public static final int WINDOW = 3;

    /** Largest relative change between the two windows' medians. */
    public static final double TOLERANCE = 0.05;

    private WarmUp() {}

    /**
     * Whether the passes so far have settled.
     *
     * @param seconds the time of every pass so far, in order
     * @return true once the rule holds
     */
    public static boolean settled(List<Double> seconds) {
        int n = seconds.size();
        if (n < Math.max(MIN_PASSES, 2 * WINDOW)) {
            return false;
        }
        double last = median(seconds.subList(n - WINDOW, n));
        double before = median(seconds.subList(n - 2 * WINDOW, n - WINDOW));
        return Math.abs(last - before) <= TOLERANCE * before;
    }

    /**
     * Runs a pass until the passes have settled or the time limit is reached.
     *
     * @param pass one pass
     * @param maxSeconds the most time to spend (the warm-up then ends unsettled)
     * @return the warm-up's pass times in seconds, in order
     */
    public static Outcome run(Runnable pass, double maxSeconds) {
        List<Double> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (maxSeconds * 1e9);
        do {
            long t0 = System.nanoTime();
            pass.run();
            times.add((System.nanoTime() - t0) / 1e9);
        } while (!settled(times) && (System.nanoTime() < end || times.size() < MIN_PASSES));
        return new Outcome(List.copyOf(times), settled(times));
    }

    /**
     * A warm-up.
     *
     * @param seconds each pass's time
     * @param settled whether the rule held (false: the time limit ended it)
     */
    public record Outcome(List<Double> seconds, boolean settled) {
        /** @return e.g. {@code 7 passes, settled} */
        @Override
        public String toString() {
            return seconds.size() + " passes, " + (settled ? "settled" : "not settled within the time limit");
        }
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
