package org.vit4j.bench.peers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntFunction;
import org.vit4j.bench.WarmUp;
import org.vit4j.compiled.BatchParts;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.HeapReuse;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.KernelOptions;
import org.vit4j.compiled.LinearKernel;
import org.vit4j.compiled.Precision;
import org.vit4j.interop.CheckpointImporter;
import org.vit4j.interop.Source;
import org.vit4j.io.Npy;
import org.vit4j.model.VitModel;

/**
 * One engine of the headline comparison in a JVM of its own, driven line by line over standard
 * input by {@link FastPathBench}, so that no engine shares a process (heap, allocator, thread
 * pools) with another. Started as
 *
 * <pre>
 * java -cp target/benchmarks.jar org.vit4j.bench.peers.EngineProcess ENGINE VARIANT
 * </pre>
 *
 * <p>ENGINE: {@code fp32} (compiled, the library's defaults: kernels and batch parts {@code auto}),
 * {@code fp32-whole} (batches computed whole), {@code fp32-aten}, {@code fp32-mkl}, {@code bf16}, {@code int8},
 * {@code ort} (ONNX Runtime fp32, its default intra-op threads), {@code ort-N} (ONNX Runtime with N
 * intra-op threads), {@code eager}, {@code trace}. VARIANT: {@code ti16} or {@code b16} (the peers
 * of {@code export_peers.py}). Commands, each answered by one line {@code ok ...} or {@code error
 * MESSAGE}:
 *
 * <ul>
 *   <li>{@code describe}: {@code ok NAME<TAB>what runs}
 *   <li>{@code check}: the maximum absolute logit difference from torchvision eager on the check input
 *   <li>{@code warm B MAX_SECONDS}: passes at batch B until their times settle ({@link WarmUp})
 *   <li>{@code run B SECONDS}: passes at batch B for SECONDS (at least one), answered with images/s
 *   <li>{@code quit}
 * </ul>
 *
 * <p>Standard output carries only the answers; the engines' own messages go to standard error.
 */
public final class EngineProcess {

    private EngineProcess() {}

    /**
     * A vit4j inference forward as a peer. A compiled forward is built for the batch it runs, as
     * {@code vit4j bench --batch-size B} builds it ({@code KernelOptions.optBatch}: the kernels
     * measured at that batch's rows, the JIT warmed at that shape): a pass at another batch than the
     * last closes it and builds it anew for that batch.
     */
    private static final class Vit4jPeer implements ForwardPeer {
        private final String name;
        private final IntFunction<InferenceForward> atBatch;
        private InferenceForward forward;
        private int batch;

        Vit4jPeer(String name, IntFunction<InferenceForward> atBatch) {
            this.name = name;
            this.atBatch = atBatch;
            this.batch = 1;
            this.forward = atBatch.apply(1);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public float[] forward(float[] images, int batch, int height, int width) {
            if (batch != this.batch) {
                forward.close();
                forward = atBatch.apply(batch);
                this.batch = batch;
            }
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

    /** An opened engine: the peer, its table name and what runs. */
    private record Opened(ForwardPeer peer, String name, String description) {}

    /**
     * Entry point.
     *
     * @param args ENGINE VARIANT
     * @throws Exception on a failure before the command loop
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: EngineProcess ENGINE VARIANT");
        }
        PrintStream answers = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err); // library and engine prints never interleave with the answers
        System.setProperty("ai.djl.offline", "true");
        String engine = args[0];
        String variant = args[1];
        BenchFiles files = BenchFiles.fromProperties();
        Opened opened;
        try {
            opened = open(engine, variant, files.peers());
        } catch (RuntimeException | IOException e) {
            answers.println("error " + oneLine(e));
            return;
        }
        answers.println("ready");
        String suffix = variant.equals("ti16") ? "" : "_" + variant;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (ForwardPeer peer = opened.peer()) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ");
                try {
                    switch (w[0]) {
                        case "describe" -> answers.println("ok " + opened.name() + "\t" + opened.description());
                        case "check" -> {
                            Npy.Array x = Npy.read(files.peers().resolve("check_input" + suffix + ".npy"));
                            float[] want = Npy.read(files.peers().resolve("check_logits" + suffix + ".npy")).data();
                            int b = (int) x.shape()[0];
                            float[] got = peer.forward(x.data(), b, (int) x.shape()[2], (int) x.shape()[3]);
                            answers.println(String.format(Locale.ROOT, "ok %.3e %.3f", BenchMain.maxDiff(got, want),
                                    BenchMain.maxAbs(want)));
                        }
                        case "warm" -> {
                            int batch = Integer.parseInt(w[1]);
                            float[] images = BenchFiles.randomImages(batch, 224, 224, 42);
                            WarmUp.Outcome o = WarmUp.run(() -> peer.forward(images, batch, 224, 224),
                                    Double.parseDouble(w[2]));
                            answers.println("ok " + o);
                        }
                        case "run" -> {
                            int batch = Integer.parseInt(w[1]);
                            double seconds = Double.parseDouble(w[2]);
                            float[] images = BenchFiles.randomImages(batch, 224, 224, 42);
                            int passes = 0;
                            long t0 = System.nanoTime();
                            long end = t0 + (long) (seconds * 1e9);
                            do {
                                peer.forward(images, batch, 224, 224);
                                passes++;
                            } while (System.nanoTime() < end);
                            double rate = passes * batch / ((System.nanoTime() - t0) / 1e9);
                            answers.println(String.format(Locale.ROOT, "ok %.4f", rate));
                        }
                        case "quit" -> {
                            answers.println("ok bye");
                            return;
                        }
                        default -> answers.println("error unknown command " + w[0]);
                    }
                } catch (RuntimeException | IOException e) {
                    answers.println("error " + oneLine(e));
                }
            }
        }
    }

    private static String oneLine(Exception e) {
        return (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
    }

    /** Opens ENGINE on VARIANT's peers. */
    private static Opened open(String engine, String variant, Path peers) throws IOException {
        if (engine.equals("ort") || engine.startsWith("ort-")) {
            int threads = engine.equals("ort") ? 0 : Integer.parseInt(engine.substring(4));
            String name = threads == 0 ? "ONNX Runtime fp32 (default threads)"
                    : "ONNX Runtime fp32 (" + threads + " intra-op threads)";
            return new Opened(new OrtForward(peers.resolve("vit_" + variant + ".onnx"), threads), name,
                    "onnxruntime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion()
                            + ", all graph optimizations, intra-op threads " + (threads == 0 ? "default" : threads));
        }
        if (engine.equals("trace")) {
            return new Opened(new TorchScriptForward(peers.resolve("vit_" + variant + ".pt")),
                    "DJL TorchScript trace fp32", "torch.jit.trace of torchvision, run by DJL");
        }
        HeapReuse.apply();
        int heads = variant.equals("ti16") ? 3 : 12;
        VitModel model = CheckpointImporter.builder().setSource(Source.TORCHVISION)
                .setWeights(peers.resolve("vit_" + variant + ".safetensors")).optHeads(heads).build()
                .toModel(Device.cpu());
        // the library's defaults (kernels auto, batch parts auto) unless the engine's name says otherwise
        IntFunction<InferenceForward> atBatch = switch (engine) {
            case "fp32" -> b -> compiled(model, Precision.FP32, LinearKernel.AUTO, BatchParts.AUTO, b);
            case "fp32-whole" -> b -> compiled(model, Precision.FP32, LinearKernel.AUTO, BatchParts.of(1), b);
            case "fp32-aten" -> b -> compiled(model, Precision.FP32, LinearKernel.ATEN, BatchParts.AUTO, b);
            case "fp32-mkl" -> b -> compiled(model, Precision.FP32, LinearKernel.MKL, BatchParts.AUTO, b);
            case "bf16" -> b -> compiled(model, Precision.BF16, LinearKernel.AUTO, BatchParts.AUTO, b);
            case "int8" -> b -> compiled(model, Precision.INT8, LinearKernel.AUTO, BatchParts.AUTO, b);
            case "eager" -> b -> InferenceForward.eager(model);
            default -> throw new IllegalArgumentException("unknown engine " + engine
                    + "; valid: fp32, fp32-whole, fp32-aten, fp32-mkl, bf16, int8, ort, ort-N, eager, trace");
        };
        String name = switch (engine) {
            case "fp32" -> "vit4j compiled fp32";
            case "fp32-whole" -> "vit4j compiled fp32, batches whole";
            case "fp32-aten" -> "vit4j compiled fp32, aten::linear";
            case "fp32-mkl" -> "vit4j compiled fp32, mkl-packed";
            case "bf16" -> "vit4j compiled bf16";
            case "int8" -> "vit4j compiled int8";
            default -> "vit4j eager fp32";
        };
        Vit4jPeer peer = new Vit4jPeer(name, atBatch);
        InferenceForward f = peer.forward;
        return new Opened(peer, name, f.precision() + "; linear kernels " + f.describeLinearKernels()
                + " (built anew for each batch, its kernels measured at that batch's rows)"
                + "; attention " + f.describeAttentionKernel() + "; batch parts " + f.describeBatchParts()
                + "; allocator " + HeapReuse.apply());
    }

    /** A compiled forward whose kernels are chosen for {@code batch} images per pass. */
    private static InferenceForward compiled(VitModel model, Precision precision, LinearKernel kernel, BatchParts parts,
            int batch) {
        return InferenceForward.of(model, ForwardEngine.COMPILED, precision, KernelOptions.builder()
                .optLinear(new LinearKernel.Choice(kernel, kernel.cliName() + " requested")).optBatch(batch).build(), parts);
    }
}
