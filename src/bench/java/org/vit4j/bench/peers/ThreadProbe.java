package org.vit4j.bench.peers;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/**
 * Times the same PyTorch work on the JVM main thread and on other threads, interleaved round by
 * round so that a change in background load hits every context alike. Checks the report that calls
 * from the main thread are much slower than from a fresh worker thread, and shows each thread's
 * autograd mode: libtorch's grad mode is thread-local, and DJL turns it off only on the thread that
 * starts the engine.
 *
 * <pre>java -cp target/benchmarks.jar org.vit4j.bench.peers.ThreadProbe [rounds]</pre>
 */
public final class ThreadProbe {

    private ThreadProbe() {}

    /**
     * Runs the probe and prints a Markdown table.
     *
     * @param args optional: rounds (default 5)
     * @throws Exception if a task fails
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.print(run(rounds));
    }

    /**
     * Runs the probe.
     *
     * @param rounds rounds; each context runs each workload once per round
     * @return a Markdown section
     * @throws Exception if a task fails
     */
    static String run(int rounds) throws Exception {
        Engine.getEngine("PyTorch"); // started here, on the calling (main) thread, as in a CLI
        ViTConfig cfg = Variant.TINY.toBuilder().build();
        List<String> labels = IntStream.range(0, cfg.architecture().numClasses()).mapToObj(i -> "c" + i).toList();
        StringBuilder sb = new StringBuilder();
        try (VitModel model = VitModel.create(cfg, labels, Device.cpu(), 0);
                NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            boolean paramGrad = model.getBlock().namedParameters().values().iterator().next().getArray().hasGradient();
            float[] image = BenchFiles.randomImages(1, 224, 224, 1);
            NDArray small = base.randomNormal(new Shape(64));
            NDArray mat = base.randomNormal(new Shape(512, 512));
            Map<String, Supplier<Double>> work = new LinkedHashMap<>();
            work.put("small op (add, 64 floats), µs", () -> 1e6 * perCall(200, () -> {
                try (NDManager s = base.newSubManager()) {
                    NDArray r = small.add(small);
                    r.attach(s);
                    r.getFloat(0);
                }
            }));
            work.put("matmul 512³, ms", () -> 1e3 * perCall(5, () -> {
                try (NDManager s = base.newSubManager()) {
                    NDArray r = mat.matMul(mat);
                    r.attach(s);
                    r.getFloat(0, 0);
                }
            }));
            work.put("ViT-Ti/16 forward B=1, ms", () -> 1e3 * perCall(2, () -> {
                try (NDManager s = model.newManager()) {
                    model.forward(s.create(image, new Shape(1, 3, 224, 224))).get(0).toFloatArray();
                }
            }));

            ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "probe-worker"));
            ExecutorService workerNoGrad = Executors.newSingleThreadExecutor(r -> new Thread(r, "probe-worker-nograd"));
            try {
                workerNoGrad.submit(() -> JniUtils.setGradMode(false)).get();
                Map<String, Supplier<Boolean>> gradOf = new LinkedHashMap<>();
                gradOf.put("main thread (engine started here)", JniUtils::isGradMode);
                gradOf.put("worker thread, as DJL leaves it", () -> get(worker.submit(JniUtils::isGradMode)));
                gradOf.put("worker thread, grad mode off", () -> get(workerNoGrad.submit(JniUtils::isGradMode)));
                List<String> contexts = new ArrayList<>(gradOf.keySet());
                Map<String, Map<String, List<Double>>> times = new LinkedHashMap<>();
                for (String w : work.keySet()) {
                    times.put(w, new LinkedHashMap<>());
                    contexts.forEach(c -> times.get(w).put(c, new ArrayList<>()));
                }
                for (int round = 0; round <= rounds; round++) { // round 0 is the warm-up
                    for (Map.Entry<String, Supplier<Double>> w : work.entrySet()) {
                        double a = w.getValue().get();
                        double b = get(worker.submit(() -> w.getValue().get()));
                        double c = get(workerNoGrad.submit(() -> w.getValue().get()));
                        if (round > 0) {
                            times.get(w.getKey()).get(contexts.get(0)).add(a);
                            times.get(w.getKey()).get(contexts.get(1)).add(b);
                            times.get(w.getKey()).get(contexts.get(2)).add(c);
                        }
                    }
                }
                sb.append(String.format(Locale.ROOT,
                        "Thread probe: median of %d rounds; intra-op threads %d, inter-op %d; parameters require grad: %s%n%n",
                        rounds, JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), paramGrad));
                sb.append("| workload | ").append(String.join(" | ", contexts)).append(" |\n|---|");
                contexts.forEach(c -> sb.append("---:|"));
                sb.append("\n| autograd mode on | ");
                for (String c : contexts) {
                    sb.append(gradOf.get(c).get()).append(" | ");
                }
                sb.append("\n| intra-op threads this thread uses (at::get_num_threads) | ").append(JniUtils.getNumThreads())
                        .append(" | ").append(get(worker.submit(JniUtils::getNumThreads)))
                        .append(" | ").append(get(workerNoGrad.submit(JniUtils::getNumThreads))).append(" |\n");
                for (String w : work.keySet()) {
                    sb.append("| ").append(w).append(" | ");
                    for (String c : contexts) {
                        sb.append(String.format(Locale.ROOT, "%.3g", median(times.get(w).get(c)))).append(" | ");
                    }
                    sb.append('\n');
                }
            } finally {
                worker.shutdown();
                workerNoGrad.shutdown();
            }
        }
        return sb.toString();
    }

    private static double perCall(int n, Runnable r) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            r.run();
        }
        return (System.nanoTime() - t0) / 1e9 / n;
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
