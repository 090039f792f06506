package org.vit4j.bench.peers;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.vit4j.bench.ForwardBenchmark;
import org.vit4j.io.AtomicFiles;
import org.vit4j.io.Npy;
import org.vit4j.model.ModelCost;
import org.vit4j.model.Variant;

/**
 * Runs the peer benchmarks in one process and writes their Markdown tables: the correctness check
 * of the three forward engines, the matmul peak, the forward benchmark (JMH), preprocessing (JMH,
 * against the Python peer run as a subprocess), scaling, and the thread probe. Every ratio is of two
 * numbers measured in this run. Run from the repository root:
 *
 * <pre>
 * java -jar target/benchmarks.jar [--out FILE] [--quick] [--threads N] [--only forward,preprocess,scaling,probe]
 *     [--forks F] [--warmup-iterations W] [--iterations I] [--iteration-seconds S]
 *     [--peer-seconds S] [--peer-rounds R] [--scaling-seconds S] [--scaling-sizes 224,384,512] [--scaling-batches 1,8,32]
 * java -jar target/benchmarks.jar jmh [JMH options]      (plain JMH on the same benchmarks)
 * java -jar target/benchmarks.jar probe [rounds]          (the thread probe alone)
 * </pre>
 * Tables go to stdout and to {@code --out} (default {@code target/bench-results.md}); progress to
 * stderr; JMH's own logs to {@code target/bench-jmh-*.log}.
 */
public final class BenchMain {

    private static final double MAX_LOGIT_DIFF = 1e-3;
    private static final List<String> ENGINES = List.of(Vit4jForward.NAME, OrtForward.NAME, TorchScriptForward.NAME);

    /** Options, with the full-run defaults ({@code --quick} shortens them for a dry run). */
    static final class Options {
        Path out = Path.of("target/bench-results.md");
        Path logDir = Path.of("target");
        boolean quick;
        int threads;
        int forks = 1;
        int warmupIterations = 3;
        int iterations = 5;
        double iterationSeconds = 4;
        double peerSeconds = 3;
        int peerRounds = 5;
        double scalingSeconds = 6;
        int[] scalingSizes = {224, 384, 512};
        int[] scalingBatches = {1, 8, 32};
        int probeRounds = 5;
        Set<String> only = new LinkedHashSet<>(List.of("forward", "preprocess", "scaling", "probe"));

        static Options parse(String[] args) {
            Options o = new Options();
            List<String> a = new ArrayList<>(Arrays.asList(args));
            if (a.remove("--quick")) {
                o.quick = true;
                o.warmupIterations = 1;
                o.iterations = 2;
                o.iterationSeconds = 0.5;
                o.peerSeconds = 0.5;
                o.peerRounds = 2;
                o.scalingSeconds = 0.3;
                o.scalingSizes = new int[] {224};
                o.scalingBatches = new int[] {1, 8};
                o.probeRounds = 2;
            }
            for (int i = 0; i < a.size(); i += 2) {
                String k = a.get(i);
                if (i + 1 >= a.size()) {
                    throw new IllegalArgumentException("option " + k + " needs a value");
                }
                String v = a.get(i + 1);
                switch (k) {
                    case "--out" -> o.out = Path.of(v);
                    case "--threads" -> o.threads = Integer.parseInt(v);
                    case "--forks" -> o.forks = Integer.parseInt(v);
                    case "--warmup-iterations" -> o.warmupIterations = Integer.parseInt(v);
                    case "--iterations" -> o.iterations = Integer.parseInt(v);
                    case "--iteration-seconds" -> o.iterationSeconds = Double.parseDouble(v);
                    case "--peer-seconds" -> o.peerSeconds = Double.parseDouble(v);
                    case "--peer-rounds" -> o.peerRounds = Integer.parseInt(v);
                    case "--scaling-seconds" -> o.scalingSeconds = Double.parseDouble(v);
                    case "--scaling-sizes" -> o.scalingSizes = ints(v);
                    case "--scaling-batches" -> o.scalingBatches = ints(v);
                    case "--probe-rounds" -> o.probeRounds = Integer.parseInt(v);
                    case "--only" -> o.only = new LinkedHashSet<>(List.of(v.split(",")));
                    default -> throw new IllegalArgumentException("unknown option " + k + " (see BENCHMARKS.md)");
                }
            }
            if (o.threads < 0 || o.forks < 1 || o.iterations < 1 || o.peerRounds < 1) {
                throw new IllegalArgumentException("--threads >= 0, --forks, --iterations and --peer-rounds >= 1");
            }
            return o;
        }

        private static int[] ints(String v) {
            return Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        }
    }

    private BenchMain() {}

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception on any failure (the exit code is then non-zero)
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("probe")) {
            ThreadProbe.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("see BENCHMARKS.md; options: --out FILE --quick --threads N --only forward,preprocess,scaling,probe"
                    + " --forks F --warmup-iterations W --iterations I --iteration-seconds S --peer-seconds S --peer-rounds R"
                    + " --scaling-seconds S --scaling-sizes 224,384,512 --scaling-batches 1,8,32 --probe-rounds R");
            return;
        }
        Options o = Options.parse(args);
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("java.awt.headless", "true");
        System.setProperty("vit4j.bench.threads", Integer.toString(o.threads));
        if (o.threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        BenchFiles files = BenchFiles.fromProperties();
        files.prepareImages();
        Engine.getEngine("PyTorch");

        StringBuilder md = new StringBuilder();
        md.append("## Run of ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("\n\n");
        md.append(environment(o)).append('\n');
        double peak;
        try (NDManager m = NDManager.newBaseManager()) {
            log("matmul peak");
            peak = ForwardBenchmark.matmulGflops(m, 2048, o.quick ? 1 : 5);
        }
        md.append(String.format(Locale.ROOT, "fp32 matmul 2048³ through DJL/libtorch: **%.0f GFLOP/s** (median)%n%n", peak));
        if (o.only.contains("forward")) {
            md.append(correctness(files)).append('\n');
            md.append(forward(o, files, peak)).append('\n');
        }
        if (o.only.contains("preprocess")) {
            md.append(preprocessing(o, files)).append('\n');
        }
        if (o.only.contains("scaling")) {
            md.append(scaling(o, peak)).append('\n');
        }
        if (o.only.contains("probe")) {
            log("thread probe");
            md.append("### Main thread vs worker threads\n\n").append(ThreadProbe.run(o.probeRounds)).append('\n');
        }
        md.append(String.format(Locale.ROOT, "Load average at the end: %s%n", loadAverage()));
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        AtomicFiles.writeString(o.out, md.toString());
        System.out.print(md);
        System.out.flush();
        log("written %s", o.out);
    }

    // ------------------------------------------------------------------ environment

    private static String environment(Options o) {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
        } catch (IOException e) {
            // not Linux: leave unknown
        }
        return String.format(Locale.ROOT,
                "| | |%n|---|---|%n| CPU | %s, %d logical cores |%n| load average at the start | %s |%n"
                        + "| JVM | %s %s |%n| libtorch intra-op / inter-op threads | %d / %d |%n"
                        + "| ONNX Runtime intra-op threads | %s |%n| JMH | %d fork(s), %d × %.1f s warm-up, %d × %.1f s measured |%n",
                cpu, Runtime.getRuntime().availableProcessors(), loadAverage(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(),
                o.threads > 0 ? Integer.toString(o.threads) : "default (physical cores)",
                o.forks, o.warmupIterations, o.iterationSeconds, o.iterations, o.iterationSeconds);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    // ------------------------------------------------------------------ forward

    private static String correctness(BenchFiles files) throws IOException {
        log("forward correctness check");
        Npy.Array in = Npy.read(files.checkInput());
        Npy.Array want = Npy.read(files.checkLogits());
        int b = (int) in.shape()[0];
        int h = (int) in.shape()[2];
        int w = (int) in.shape()[3];
        Map<String, float[]> got = new LinkedHashMap<>();
        for (String e : ENGINES) {
            try (ForwardPeer p = ForwardPeer.open(e, files, BenchFiles.threads())) {
                got.put(e, p.forward(in.data(), b, h, w));
            }
        }
        StringBuilder sb = new StringBuilder("### Forward: same logits\n\n");
        sb.append(String.format(Locale.ROOT,
                "Check input `check_input.npy` (%d, 3, %d, %d); reference: torchvision eager in Python (`check_logits.npy`,"
                        + " max |logit| %.2f). Max abs difference, limit %.0e:%n%n",
                b, h, w, maxAbs(want.data()), MAX_LOGIT_DIFF));
        sb.append("| engine | vs torchvision eager | vs vit4j |\n|---|---:|---:|\n");
        List<String> failed = new ArrayList<>();
        for (String e : ENGINES) {
            double dRef = maxDiff(got.get(e), want.data());
            double dVit = maxDiff(got.get(e), got.get(Vit4jForward.NAME));
            sb.append(String.format(Locale.ROOT, "| %s | %.2e | %.2e |%n", e, dRef, dVit));
            System.err.printf(Locale.ROOT, "[bench] %s: max abs diff vs eager %.2e, vs vit4j %.2e%n", e, dRef, dVit);
            if (!(dRef < MAX_LOGIT_DIFF) || !(dVit < MAX_LOGIT_DIFF)) {
                failed.add(e);
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("logits differ by more than " + MAX_LOGIT_DIFF + " for " + failed + ":\n" + sb);
        }
        return sb.toString();
    }

    private static String forward(Options o, BenchFiles files, double peak) throws RunnerException {
        log("forward benchmark (JMH)");
        Collection<RunResult> rs = new Runner(jmh(o, files, "bench-jmh-forward.log")
                .include(ForwardBench.class.getName() + ".forward")
                .threads(1)
                .build()).run();
        Map<String, Double> perPass = new LinkedHashMap<>(); // "engine/batch" -> passes/s
        for (RunResult r : rs) {
            perPass.put(r.getParams().getParam("engine") + "/" + r.getParams().getParam("batch"), median(r));
        }
        double gflop = ModelCost.flopsPerImage(Variant.TINY.toBuilder().build()) / 1e9;
        StringBuilder sb = new StringBuilder("### Forward: ViT-Ti/16, 224×224, fp32, images/s\n\n");
        sb.append(String.format(Locale.ROOT,
                "Median of the JMH iterations; one caller thread; %.2f GFLOP per image; ratios of numbers from this run.%n%n", gflop));
        sb.append("| batch | vit4j | ONNX Runtime | DJL TorchScript | vit4j ÷ ONNX Runtime | vit4j ÷ TorchScript"
                + " | vit4j GFLOP/s (share of matmul peak) | ONNX Runtime GFLOP/s (share) |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int batch : new int[] {1, 32}) {
            double v = batch * perPass.getOrDefault(Vit4jForward.NAME + "/" + batch, Double.NaN);
            double ort = batch * perPass.getOrDefault(OrtForward.NAME + "/" + batch, Double.NaN);
            double ts = batch * perPass.getOrDefault(TorchScriptForward.NAME + "/" + batch, Double.NaN);
            sb.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | **%.2f×** | %.2f× | %.0f (%.0f%%) | %.0f (%.0f%%) |%n",
                    batch, v, ort, ts, v / ort, v / ts, v * gflop, 100 * v * gflop / peak, ort * gflop, 100 * ort * gflop / peak));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ preprocessing

    private static String preprocessing(Options o, BenchFiles files) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, List<Path>> sets = new LinkedHashMap<>();
        for (String s : BenchFiles.SETS) {
            sets.put(s, files.imageSet(s));
        }
        StringBuilder sb = new StringBuilder("### Preprocessing: JPEG file → 224×224 tokens (1, 196, 768), images/s\n\n");
        sb.append(tokenCheck(sets.get("640x427").get(0))).append("\n\n");

        Map<Integer, Map<String, Double>> vit = new LinkedHashMap<>();
        Map<Integer, Map<String, JsonObject>> peer = new LinkedHashMap<>();
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            log("preprocessing benchmark (JMH), %d thread(s)", threads);
            Collection<RunResult> rs = new Runner(jmh(o, files, "bench-jmh-preprocess-" + threads + "t.log")
                    .include(PreprocessBench.class.getName() + ".preprocess")
                    .threads(threads)
                    .build()).run();
            Map<String, Double> bySet = new LinkedHashMap<>();
            for (RunResult r : rs) {
                bySet.put(r.getParams().getParam("set"), median(r));
            }
            vit.put(threads, bySet);
            log("preprocessing peer (Pillow + torchvision), %d process(es)", threads);
            peer.put(threads, PythonPeer.measure(sets, o.peerSeconds, o.peerRounds, threads));
        }
        JsonObject any = peer.get(1).values().iterator().next();
        sb.append(String.format(Locale.ROOT,
                "vit4j: ImageLoader + ImagePreprocessor (resize 256 bilinear, crop 224, ImageNet normalization) + Patchify,"
                        + " JMH median of iterations, T threads each with its own pipeline. Peer: `src/bench/preprocess_peer.py`"
                        + " (Pillow %s, torch %s, torchvision %s, Resize(256) + CenterCrop(224) + ToTensor + Normalize + unfold),"
                        + " torch.set_num_threads(1), T single-threaded processes, median of %d rounds of %.1f s.%n%n",
                any.get("pillow").getAsString(), any.get("torch").getAsString(), any.get("torchvision").getAsString(),
                o.peerRounds, o.peerSeconds));
        sb.append("| images | files | threads T | vit4j | Pillow + torchvision | vit4j ÷ peer |\n|---|---:|---:|---:|---:|---:|\n");
        for (String s : BenchFiles.SETS) {
            for (int t : vit.keySet()) {
                double v = vit.get(t).getOrDefault(s, Double.NaN);
                double p = peer.get(t).get(s).get("images_per_s").getAsDouble();
                sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | **%.2f×** |%n",
                        s.equals("sample") ? "sample-images (451×300 … 600×400)" : s, sets.get(s).size(), t, v, p, v / p));
            }
        }
        return sb.toString();
    }

    /** The two pipelines' tokens for one file: JPEG decoders differ by an 8-bit step or so, the rest should not. */
    private static String tokenCheck(Path file) throws Exception {
        Path npy = Files.createTempFile("peer-tokens", ".npy");
        try (PreprocessPipeline p = new PreprocessPipeline()) {
            float[] mine = p.tokens(file);
            PythonPeer.dumpTokens(file, npy);
            float[] theirs = Npy.read(npy).data();
            if (mine.length != theirs.length) {
                throw new IllegalStateException("token counts differ: vit4j " + mine.length + ", peer " + theirs.length);
            }
            double sum = 0;
            for (int i = 0; i < mine.length; i++) {
                sum += Math.abs(mine[i] - theirs[i]);
            }
            double oneStep = 1 / 255.0 / 0.225;
            String line = String.format(Locale.ROOT,
                    "Same tokens? `%s`: max abs difference %.3f, mean %.4f (one 8-bit step after normalization ≈ %.3f;"
                            + " the JPEG decoders and the resize rounding differ slightly).",
                    file.getFileName(), maxDiff(mine, theirs), sum / mine.length, oneStep);
            log("%s", line);
            return line;
        } finally {
            Files.deleteIfExists(npy);
        }
    }

    // ------------------------------------------------------------------ scaling

    private static String scaling(Options o, double peak) {
        log("scaling");
        List<Scaling.Cell> cells = Scaling.run(o.scalingSizes, o.scalingBatches, o.scalingSeconds);
        writeScalingCsv(cells, o.out.resolveSibling("bench-scaling.csv"));
        StringBuilder sb = new StringBuilder("### Scaling: vit4j forward, ViT-Ti/16, random weights, fp32\n\n");
        sb.append("Median of timed passes (`ForwardBenchmark`); time relative to 224×224 at the same batch size.\n\n");
        sb.append("| image | tokens | batch | ms per pass | images/s | GFLOP/image | GFLOP/s (share of peak) | time per image vs 224 |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Scaling.Cell c : cells) {
            Scaling.Cell base = cells.stream().filter(x -> x.size() == 224 && x.batch() == c.batch()).findFirst().orElse(null);
            String rel = base == null ? "" : String.format(Locale.ROOT, "%.2f×", base.result().imagesPerSecond() / c.result().imagesPerSecond());
            sb.append(String.format(Locale.ROOT, "| %d×%d | %d | %d | %.1f | %.1f | %.2f | %.0f (%.0f%%) | %s |%n",
                    c.size(), c.size(), c.tokens(), c.batch(), c.msPerPass(), c.result().imagesPerSecond(),
                    c.result().gflopsPerImage(), c.result().gflops(), 100 * c.result().gflops() / peak, rel));
        }
        return sb.toString();
    }

    /** The scaling cells as CSV, the input of {@code src/bench/plot_scaling.py}. */
    private static void writeScalingCsv(List<Scaling.Cell> cells, Path csv) {
        StringBuilder sb = new StringBuilder("size,tokens,batch,ms_per_pass,images_per_s,gflop_per_image\n");
        for (Scaling.Cell c : cells) {
            sb.append(String.format(Locale.ROOT, "%d,%d,%d,%.3f,%.3f,%.4f%n", c.size(), c.tokens(), c.batch(),
                    c.msPerPass(), c.result().imagesPerSecond(), c.result().gflopsPerImage()));
        }
        try {
            AtomicFiles.writeString(csv, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log("scaling: %s", csv);
    }

    // ------------------------------------------------------------------ helpers

    private static ChainedOptionsBuilder jmh(Options o, BenchFiles files, String logName) {
        List<String> jvm = new ArrayList<>(List.of("-Djava.awt.headless=true", "-Dai.djl.offline=true",
                "-Dvit4j.bench.threads=" + o.threads));
        jvm.addAll(files.asJvmArgs());
        if (o.threads > 0) {
            jvm.add("-Dai.djl.pytorch.num_threads=" + o.threads);
            jvm.add("-Dai.djl.pytorch.num_interop_threads=1");
        }
        return new OptionsBuilder()
                .forks(o.forks)
                .warmupIterations(o.warmupIterations)
                .warmupTime(TimeValue.milliseconds((long) (o.warmupIterations == 0 ? 0 : o.iterationSeconds * 1000)))
                .measurementIterations(o.iterations)
                .measurementTime(TimeValue.milliseconds((long) (o.iterationSeconds * 1000)))
                .jvmArgsAppend(jvm.toArray(String[]::new))
                .output(o.logDir.resolve(logName).toString());
    }

    /** Median over all measured iterations of all forks (ops/s, summed over threads). */
    private static double median(RunResult r) {
        List<Double> xs = new ArrayList<>();
        for (BenchmarkResult br : r.getBenchmarkResults()) {
            for (IterationResult ir : br.getIterationResults()) {
                xs.add(ir.getPrimaryResult().getScore());
            }
        }
        return ThreadProbe.median(xs);
    }

    /** @return {@code max |a - b|}, or +inf if the lengths differ (also for FastPathBench) */
    static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** @return {@code max |a|} (also for FastPathBench) */
    static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
