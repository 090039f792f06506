package org.vit4j.bench.peers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.interop.CheckpointImporter;
import org.vit4j.interop.Source;
import org.vit4j.io.AtomicFiles;
import org.vit4j.io.Npy;
import org.vit4j.model.VitModel;

/**
 * The forward table: ViT-Ti/16 and ViT-B/16 at 224×224, batch 1 and 32, vit4j eager fp32, compiled
 * fp32 and compiled bf16 against ONNX Runtime fp32 and DJL's TorchScript trace, all in one process
 * and alternating: in every round each engine runs for the same time, in a rotated order, and a
 * ratio is taken within the round; the table gives medians over rounds. Every engine first passes
 * a logits check against torchvision eager (bf16: reported, not limited). Run from the repository
 * root after {@code export_peers.py} for both variants and {@code mvn -Pbench package}:
 *
 * <pre>
 * java -cp target/benchmarks.jar org.vit4j.bench.peers.FastPathBench [--rounds R] [--seconds S] [--variants ti16,b16]
 *     [--batches 1,32] [--out target/bench-fastpath.md]
 * </pre>
 */
public final class FastPathBench {

    private static final double MAX_LOGIT_DIFF = 1e-3;

    private FastPathBench() {}

    /** An engine of the comparison. */
    private record Engine(String name, ForwardPeer peer) {}

    /** A vit4j inference forward as a peer. */
    private static final class Vit4jPeer implements ForwardPeer {
        private final String name;
        private final InferenceForward forward;

        Vit4jPeer(String name, InferenceForward forward) {
            this.name = name;
            this.forward = forward;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public float[] forward(float[] images, int batch, int height, int width) {
            try (NDManager step = forward.model().newManager()) {
                NDArray x = step.create(images, new Shape(batch, 3, height, width)); // (B, C, H, W)
                return forward.forward(x).get(0).toFloatArray(); // (B, K)
            }
        }

        @Override
        public void close() {
            forward.close();
        }
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = 5;
        double seconds = 3;
        List<String> variants = List.of("ti16", "b16");
        int[] batches = {1, 32};
        Path out = Path.of("target/bench-fastpath.md");
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--variants" -> variants = List.of(v.split(","));
                case "--batches" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        BenchFiles files = BenchFiles.fromProperties();
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch before its thread counts are read
        CpuFeatures cpu = CpuFeatures.current();
        StringBuilder md = new StringBuilder();
        md.append("## Fast-path run of ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        md.append(String.format(Locale.ROOT, "| | |%n|---|---|%n| CPU | %s, %d logical cores |%n| flags | %s |%n"
                        + "| load average at the start | %s |%n| JVM | %s %s |%n| libtorch intra-op / inter-op threads | %d / %d |%n"
                        + "| ONNX Runtime intra-op threads | default (physical cores) |%n| method | %d rounds; per round every engine"
                        + " runs %.1f s (at least one pass) in rotated order; ratios within a round, medians over rounds |%n%n",
                cpu.model(), Runtime.getRuntime().availableProcessors(), cpu.summary(), BenchMain.loadAverage(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), rounds, seconds));
        for (String variant : variants) {
            md.append(variant(files, variant, batches, rounds, seconds));
        }
        md.append("Load average at the end: ").append(BenchMain.loadAverage()).append("\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        AtomicFiles.writeString(out, md.toString());
        System.out.print(md);
        BenchMain.log("written %s", out);
    }

    private static String variant(BenchFiles files, String variant, int[] batches, int rounds, double seconds)
            throws IOException {
        String suffix = variant.equals("ti16") ? "" : "_" + variant;
        Path peers = files.peers();
        int heads = variant.equals("ti16") ? 3 : 12;
        BenchMain.log("%s: importing and compiling", variant);
        VitModel model = CheckpointImporter.builder().setSource(Source.TORCHVISION)
                .setWeights(peers.resolve("vit_" + variant + ".safetensors")).optHeads(heads).build().toModel(Device.cpu());
        List<Engine> engines = new ArrayList<>();
        engines.add(new Engine("vit4j eager fp32", new Vit4jPeer("eager", InferenceForward.eager(model))));
        engines.add(new Engine("vit4j compiled fp32",
                new Vit4jPeer("compiled", InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32))));
        engines.add(new Engine("vit4j compiled bf16",
                new Vit4jPeer("bf16", InferenceForward.of(model, ForwardEngine.COMPILED, Precision.BF16))));
        engines.add(new Engine("ONNX Runtime fp32", new OrtForward(peers.resolve("vit_" + variant + ".onnx"), 0)));
        engines.add(new Engine("DJL TorchScript trace fp32", new TorchScriptForward(peers.resolve("vit_" + variant + ".pt"))));
        StringBuilder sb = new StringBuilder();
        try {
            sb.append(check(engines, peers.resolve("check_input" + suffix + ".npy"),
                    peers.resolve("check_logits" + suffix + ".npy"), variant));
            sb.append(String.format(Locale.ROOT, "#### %s at 224×224, images/s (median over rounds) and ratio to ONNX Runtime"
                    + " (median of per-round ratios)%n%n| batch |", variant));
            for (Engine e : engines) {
                sb.append(' ').append(e.name()).append(" |");
            }
            sb.append("\n|---:|").append("---:|".repeat(engines.size())).append('\n');
            for (int batch : batches) {
                sb.append(cell(engines, batch, rounds, seconds, variant));
            }
            sb.append('\n');
        } finally {
            for (Engine e : engines) {
                e.peer().close();
            }
            model.close();
        }
        return sb.toString();
    }

    private static String check(List<Engine> engines, Path input, Path logits, String variant) throws IOException {
        Npy.Array in = Npy.read(input);
        float[] want = Npy.read(logits).data();
        int b = (int) in.shape()[0];
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "#### %s: logits on `%s` (%d images) against torchvision eager in Python (max |logit| %.2f)%n%n"
                        + "| engine | max abs difference |%n|---|---:|%n", variant, input.getFileName(), b, BenchMain.maxAbs(want)));
        for (Engine e : engines) {
            float[] got = e.peer().forward(in.data(), b, (int) in.shape()[2], (int) in.shape()[3]);
            double d = BenchMain.maxDiff(got, want);
            BenchMain.log("%s %s: max abs diff vs torchvision %.2e", variant, e.name(), d);
            if (!e.name().contains("bf16") && !(d < MAX_LOGIT_DIFF)) {
                throw new IllegalStateException(e.name() + " logits differ by " + d);
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.2e |%n", e.name(), d));
        }
        return sb.append('\n').toString();
    }

    private static String cell(List<Engine> engines, int batch, int rounds, double seconds, String variant) {
        float[] images = BenchFiles.randomImages(batch, 224, 224, 42);
        for (Engine e : engines) { // JIT and allocator warm-up at this shape
            for (int i = 0; i < 2; i++) {
                e.peer().forward(images, batch, 224, 224);
            }
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        int ort = 3; // index of ONNX Runtime in the list
        for (int r = 0; r < rounds; r++) {
            double[] round = new double[engines.size()];
            for (int j = 0; j < engines.size(); j++) {
                int idx = (j + r) % engines.size(); // rotate who goes first
                Engine e = engines.get(idx);
                int passes = 0;
                long t0 = System.nanoTime();
                long end = t0 + (long) (seconds * 1e9);
                do {
                    e.peer().forward(images, batch, 224, 224);
                    passes++;
                } while (System.nanoTime() < end);
                round[idx] = passes * batch / ((System.nanoTime() - t0) / 1e9);
            }
            for (int j = 0; j < engines.size(); j++) {
                rates.computeIfAbsent(engines.get(j).name(), k -> new ArrayList<>()).add(round[j]);
                ratios.computeIfAbsent(engines.get(j).name(), k -> new ArrayList<>()).add(round[j] / round[ort]);
            }
            BenchMain.log("%s batch %d round %d: %s", variant, batch, r + 1, Arrays.toString(round));
        }
        StringBuilder sb = new StringBuilder("| " + batch + " |");
        for (Engine e : engines) {
            sb.append(String.format(Locale.ROOT, " %.1f (**%.2f×**) |", ThreadProbe.median(rates.get(e.name())),
                    ThreadProbe.median(ratios.get(e.name()))));
        }
        return sb.append('\n').toString();
    }
}
