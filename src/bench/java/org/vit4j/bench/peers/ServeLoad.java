package org.vit4j.bench.peers;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.vit4j.infer.Classification;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.ResultJson;
import org.vit4j.infer.VitClassifier;

/**
 * The load client of {@code src/bench/serve_load.sh}: images/s and p50/p99 latency of one caller
 * of the library (decode and classify, sequentially, in this process) and of 1, 4 and 16 HTTP
 * clients of a running {@code vit4j serve}, every answer checked against the library's; then the
 * server's resident memory (from {@code /proc/PID/status}) over a long run. Run from the repository
 * root with the vit4j jar on the class path:
 *
 * <pre>
 * java -cp target/vit4j.jar src/bench/java/org/vit4j/bench/peers/ServeLoad.java --url URL --pid PID
 *     [--clients 1,4,16] [--requests 2000] [--warmup 200] [--soak 20000] [--images sample-images] [--out FILE]
 * </pre>
 */
public final class ServeLoad {

    private ServeLoad() {}

    /**
     * Runs the measurement.
     *
     * @param args the options above
     * @throws Exception if the server cannot be reached or an answer is wrong
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--clients", "1,4,16", "--requests", "2000",
                "--warmup", "200", "--soak", "20000", "--images", "sample-images", "--out", "target/serve-load.md"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("not an option: " + args[i]);
            }
            o.put(args[i], args[i + 1]);
        }
        if (!o.containsKey("--url") || !o.containsKey("--pid")) {
            throw new IllegalArgumentException("--url URL and --pid PID are required");
        }
        URI base = URI.create(o.get("--url"));
        long pid = Long.parseLong(o.get("--pid"));
        int requests = Integer.parseInt(o.get("--requests"));
        int warmup = Integer.parseInt(o.get("--warmup"));
        int soak = Integer.parseInt(o.get("--soak"));
        int[] clients = Arrays.stream(o.get("--clients").split(",")).mapToInt(Integer::parseInt).toArray();

        List<byte[]> images = new ArrayList<>();
        List<JsonObject> expected = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(o.get("--images")))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".png") || f.toString().endsWith(".jpg")).sorted().toList()) {
                images.add(Files.readAllBytes(p));
            }
        }
        // one caller of the library, sequentially: decode and classify each image, as a request does
        try (InferenceModel model = InferenceModel.bundled(Device.cpu())) {
            VitClassifier clf = model.classifier();
            for (int i = 0; i < images.size(); i++) {
                Classification c = clf.classify(List.of(model.read(images.get(i), "image").value()), 3).get(0);
                expected.add(ResultJson.classification(null, c, false));
            }
            for (int i = 0; i < warmup; i++) {
                clf.classify(List.of(model.read(images.get(i % images.size()), "image").value()), 3);
            }
            long[] lat = new long[requests];
            long t0 = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                long s = System.nanoTime();
                clf.classify(List.of(model.read(images.get(i % images.size()), "image").value()), 3);
                lat[i] = System.nanoTime() - s;
            }
            rows.add(row("library, 1 caller, sequential", requests, System.nanoTime() - t0, lat));
            System.err.println(rows.get(rows.size() - 1));
        }

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        AtomicLong wrong = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        load(http, base, images, expected, 4, warmup, wrong, failed);
        for (int n : clients) {
            long[] lat = new long[requests];
            long wall = load(http, base, images, expected, n, requests, wrong, failed, lat);
            rows.add(row("HTTP, " + n + " client" + (n == 1 ? "" : "s"), requests, wall, lat));
            System.err.println(rows.get(rows.size() - 1));
        }

        // memory: the server's RSS every 1000 requests; growth from the end of warm-up (the first tenth)
        List<Long> rss = new ArrayList<>();
        int step = Math.max(1, Math.min(1000, soak / 10));
        for (int done = 0; done < soak; done += step) {
            load(http, base, images, expected, clients[clients.length - 1], Math.min(step, soak - done), wrong, failed);
            rss.add(rssKb(pid));
        }
        long after = rss.get(0);
        long end = rss.get(rss.size() - 1);
        double growth = 100.0 * (end - after) / after;

        String cpu = cpuModel();
        StringBuilder md = new StringBuilder();
        md.append("# vit4j serve under load, ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE))
                .append("\n\n").append(cpu).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores; bundled model; ").append(images.size()).append(" sample images in turn; ")
                .append(requests).append(" requests per row after ").append(warmup).append(" of warm-up.\n\n")
                .append("| clients | images/s | p50 latency (ms) | p99 latency (ms) |\n|---|---|---|---|\n");
        rows.forEach(r -> md.append(r).append('\n'));
        md.append(String.format(Locale.ROOT, "%nResident memory over %d requests (%d clients): %.1f MB after the first %d,"
                + " %.1f MB at the end: %+.1f %%. RSS every %d requests (KB): %s%n", soak, clients[clients.length - 1],
                after / 1024.0, step, end / 1024.0, growth, step, rss));
        md.append(String.format(Locale.ROOT, "%nWrong answers: %d; failed requests: %d.%n", wrong.get(), failed.get()));
        Files.writeString(Path.of(o.get("--out")), md.toString(), StandardCharsets.UTF_8);
        System.out.print(md);
        if (wrong.get() > 0 || failed.get() > 0) {
            System.exit(1);
        }
    }

    /** {@code n} clients send {@code total} requests between them, without recording latencies; returns the wall time. */
    private static long load(HttpClient http, URI base, List<byte[]> images, List<JsonObject> expected, int n,
            int total, AtomicLong wrong, AtomicLong failed) throws Exception {
        return load(http, base, images, expected, n, total, wrong, failed, new long[total]);
    }

    /** {@code n} clients send {@code total} requests between them, each answer checked; returns the wall time in ns. */
    private static long load(HttpClient http, URI base, List<byte[]> images, List<JsonObject> expected, int n,
            int total, AtomicLong wrong, AtomicLong failed, long[] lat) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> done = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < n; c++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        int k = i % images.size();
                        HttpRequest req = HttpRequest.newBuilder(base.resolve("/predict")).timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(images.get(k))).build();
                        long s = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                            lat[i] = System.nanoTime() - s;
                            if (r.statusCode() != 200) {
                                failed.incrementAndGet();
                            } else if (!JsonParser.parseString(r.body()).equals(expected.get(k))) {
                                wrong.incrementAndGet();
                            }
                        } catch (IOException e) {
                            lat[i] = System.nanoTime() - s;
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return System.nanoTime() - t0;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String row(String what, int requests, long wallNs, long[] lat) {
        long[] sorted = lat.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |", what, requests / (wallNs / 1e9),
                sorted[(int) Math.floor(0.50 * (sorted.length - 1))] / 1e6,
                sorted[(int) Math.floor(0.99 * (sorted.length - 1))] / 1e6);
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
