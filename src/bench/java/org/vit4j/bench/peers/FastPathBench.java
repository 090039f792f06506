package org.vit4j.bench.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.io.AtomicFiles;

/**
 * The headline table: ViT-Ti/16 and ViT-B/16 at 224×224, batch 1, 16 and 32, vit4j compiled (fp32,
 * bf16 and int8 with the library's defaults: kernels and batch parts {@code auto}) against
 * ONNX Runtime fp32 twice: with its default intra-op threads and with as many intra-op threads as the
 * machine has cores; each round's ratio is taken to the faster of the two. Every engine runs in a
 * JVM of its own ({@link EngineProcess}), started once per model and driven over a pipe, and the
 * engines alternate: in every round each runs for the same time, in a rotated order, while the
 * others wait on their pipes; the table gives medians over rounds. Before the rounds of a cell
 * every engine warms up at the cell's shape until its pass times settle ({@link
 * org.vit4j.bench.WarmUp}). Every engine first passes a logits check against torchvision eager
 * (fp32 within 1e-3; bf16 and int8: reported, not limited). The header names the CPU (model,
 * family, flags), what each engine runs and the load average. {@code src/bench/headline.sh}
 * exports the peers, builds and runs it; by hand, from the repository root after {@code
 * export_peers.py} for both variants and {@code mvn -Pbench package}:
 *
 * <pre>
 * java -cp target/benchmarks.jar org.vit4j.bench.peers.FastPathBench [--rounds R] [--seconds S] [--variants ti16,b16]
 *     [--batches 1,16,32] [--engines fp32,bf16,int8] [--warmup-max S] [--out target/bench-fastpath.md]
 * </pre>
 *
 * <p>Engines: those of {@link EngineProcess}; {@code ort} and {@code ort-N} (N = the cores) are
 * always included, as the reference of the ratios. A bf16 engine on a CPU without bf16 support in
 * oneDNN is left out with a note.
 */
public final class FastPathBench {

    private static final double MAX_LOGIT_DIFF = 1e-3;

    private FastPathBench() {}

    /** An engine in its own process: the pipe to it and its table name. */
    private static final class Child implements AutoCloseable {
        private final String engine;
        private final Process process;
        private final BufferedReader out;
        private final PrintWriter in;
        private String name;

        Child(String engine, String variant, BenchFiles files) throws IOException {
            this.engine = engine;
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(files.asJvmArgs());
            for (String p : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads")) {
                if (System.getProperty(p) != null) {
                    cmd.add("-D" + p + "=" + System.getProperty(p));
                }
            }
            cmd.addAll(List.of("-Djava.awt.headless=true", "-Dai.djl.offline=true",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    EngineProcess.class.getName(), engine, variant));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            String ready = out.readLine();
            if (!"ready".equals(ready)) {
                process.destroy();
                throw new IllegalStateException("engine " + engine + " did not start: " + ready);
            }
            String[] d = ask("describe").split("\t", 2);
            name = d[0];
            description = d[1];
        }

        private final String description;

        /** Sends one command and returns its answer without the {@code ok }. */
        String ask(String command) throws IOException {
            in.println(command);
            String line = out.readLine();
            if (line == null || !line.startsWith("ok ")) {
                throw new IllegalStateException("engine " + engine + ", " + command + ": " + line);
            }
            return line.substring(3);
        }

        @Override
        public void close() {
            in.println("quit");
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroy();
                }
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
            }
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
        double warmupMax = 60;
        List<String> engines = List.of("fp32", "bf16", "int8");
        List<String> variants = List.of("ti16", "b16");
        int[] batches = {1, 16, 32};
        Path out = Path.of("target/bench-fastpath.md");
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--variants" -> variants = List.of(v.split(","));
                case "--batches" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--out" -> out = Path.of(v);
                case "--engines" -> engines = List.of(v.split(","));
                case "--warmup-max" -> warmupMax = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        BenchFiles files = BenchFiles.fromProperties();
        CpuFeatures cpu = CpuFeatures.current();
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> names = new ArrayList<>();
        StringBuilder notes = new StringBuilder();
        for (String e : engines) {
            if (e.equals("bf16") && !cpu.hasOneDnnBf16()) {
                notes.append("- bf16 left out: this CPU has no bf16 support in oneDNN (").append(cpu.summary()).append(")\n");
            } else if (!e.startsWith("ort")) {
                names.add(e);
            }
        }
        names.add(ORT_DEFAULT);
        names.add("ort-" + cores);
        StringBuilder md = new StringBuilder();
        md.append("## Headline run of ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        md.append(String.format(Locale.ROOT, "| | |%n|---|---|%n| CPU | %s (%s), %d logical cores |%n| flags | %s |%n"
                        + "| load average at the start | %s |%n| JVM | %s %s |%n| processes | one JVM per engine, driven over a pipe |%n"
                        + "| method | %d rounds; per round every engine runs %.1f s (at least one pass) in rotated order after a"
                        + " warm-up at the shape until pass times settle; each round's ratio to the faster ONNX Runtime"
                        + " configuration of that round; medians over rounds |%n%n",
                cpu.model(), cpu.family(), cores, cpu.summary(), BenchMain.loadAverage(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), rounds, seconds));
        md.append(notes);
        for (String variant : variants) {
            md.append(variant(files, variant, batches, rounds, seconds, names, warmupMax));
        }
        md.append("Load average at the end: ").append(BenchMain.loadAverage()).append("\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        AtomicFiles.writeString(out, md.toString());
        System.out.print(md);
        BenchMain.log("written %s", out);
    }

    private static final String ORT_DEFAULT = "ort";

    private static String variant(BenchFiles files, String variant, int[] batches, int rounds, double seconds,
            List<String> names, double warmupMax) throws IOException {
        List<Child> children = new ArrayList<>();
        try {
            StringBuilder sb = new StringBuilder("#### " + variant + ": what runs, and the logits on the check input"
                    + " against torchvision eager in Python\n\n| engine | runs | max abs logit difference |\n|---|---|---:|\n");
            for (String n : names) {
                BenchMain.log("%s: starting %s", variant, n);
                Child c = new Child(n, variant, files);
                children.add(c);
                String[] check = c.ask("check").split(" ");
                double d = Double.parseDouble(check[0]);
                BenchMain.log("%s %s: max abs diff vs torchvision %.2e", variant, c.name, d);
                boolean reduced = n.equals("bf16") || n.equals("int8");
                if (!reduced && !(d < MAX_LOGIT_DIFF)) {
                    throw new IllegalStateException(c.name + " logits differ by " + d);
                }
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.2e (max |logit| %s) |%n", c.name, c.description, d,
                        check[1]));
            }
            sb.append(String.format(Locale.ROOT, "%n#### %s at 224×224, images/s (median over rounds) and ratio to the"
                    + " faster ONNX Runtime configuration of each round (median of per-round ratios)%n%n| batch |", variant));
            for (Child c : children) {
                sb.append(' ').append(c.name).append(" |");
            }
            sb.append("\n|---:|").append("---:|".repeat(children.size())).append('\n');
            for (int batch : batches) {
                sb.append(cell(children, batch, rounds, seconds, variant, warmupMax));
            }
            return sb.append('\n').toString();
        } finally {
            for (Child c : children) {
                c.close();
            }
        }
    }

    private static String cell(List<Child> children, int batch, int rounds, double seconds, String variant,
            double warmupMax) throws IOException {
        for (Child c : children) { // JIT, oneDNN primitives and allocator warm-up at this shape
            BenchMain.log("%s batch %d %s warm-up: %s", variant, batch, c.name,
                    c.ask(String.format(Locale.ROOT, "warm %d %.1f", batch, warmupMax)));
        }
        List<List<Double>> rates = new ArrayList<>();
        List<List<Double>> ratios = new ArrayList<>();
        for (int j = 0; j < children.size(); j++) {
            rates.add(new ArrayList<>());
            ratios.add(new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            double[] round = new double[children.size()];
            for (int j = 0; j < children.size(); j++) {
                int idx = (j + r) % children.size(); // rotate who goes first
                round[idx] = Double.parseDouble(children.get(idx).ask(String.format(Locale.ROOT, "run %d %.3f", batch, seconds)));
            }
            double reference = 0;
            for (int j = 0; j < children.size(); j++) {
                if (children.get(j).engine.startsWith("ort")) {
                    reference = Math.max(reference, round[j]);
                }
            }
            for (int j = 0; j < children.size(); j++) {
                rates.get(j).add(round[j]);
                ratios.get(j).add(round[j] / reference);
            }
            BenchMain.log("%s batch %d round %d: %s", variant, batch, r + 1, Arrays.toString(round));
        }
        StringBuilder sb = new StringBuilder("| " + batch + " |");
        for (int j = 0; j < children.size(); j++) {
            sb.append(String.format(Locale.ROOT, " %.1f (**%.2f×**) |", ThreadProbe.median(rates.get(j)),
                    ThreadProbe.median(ratios.get(j))));
        }
        return sb.append('\n').toString();
    }
}
