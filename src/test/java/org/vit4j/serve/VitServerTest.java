package org.vit4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vit4j.cli.CliRun;
import org.vit4j.infer.BatchingModel;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.TokenKind;
import org.vit4j.reliability.HostileFiles;

/**
 * {@link VitServer} in this JVM on a free loopback port, with the bundled model: concurrent
 * clients get exactly {@code vit4j predict --format json}'s objects; bad bodies among good ones get
 * their codes and {@code predict}'s words; a full queue answers 503; a stalled client is cut off
 * without blocking the others.
 */
class VitServerTest {

    /** Seconds a request may take to arrive: short, so the stalled-client test ends quickly. */
    private static final int REQUEST_TIMEOUT_S = 2;

    @TempDir
    static Path tmp;

    static InferenceModel model;
    static VitServer server;
    static HttpClient client;
    /** Each sample image's bytes and {@code predict --format json}'s object for it, without {@code path}. */
    static final Map<String, byte[]> images = new LinkedHashMap<>();
    static final Map<String, JsonObject> predicted = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        // the JDK reads these once per JVM, when its first server starts (see VitServer)
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_TIMEOUT_S));
        System.setProperty("sun.net.httpserver.maxRspTime", "120");
        List<Path> samples;
        try (Stream<Path> s = Files.list(Path.of("sample-images"))) {
            samples = s.filter(p -> p.toString().endsWith(".png") || p.toString().endsWith(".jpg")).sorted().toList();
        }
        assertTrue(samples.size() >= 13, "sample images: " + samples);
        List<String> args = new ArrayList<>(List.of("predict", "--format", "json", "-q"));
        samples.forEach(p -> args.add(p.toString()));
        CliRun run = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        for (String line : run.out().strip().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String path = o.remove("path").getAsString();
            predicted.put(path, o);
            images.put(path, Files.readAllBytes(Path.of(path)));
        }
        assertEquals(samples.size(), predicted.size());
        model = InferenceModel.bundled(Device.cpu());
        server = VitServer.builder()
                .setBatching(BatchingModel.builder().setModel(model).optMaxBatch(8).optMaxDelay(Duration.ofMillis(5)))
                .optModelName("bundled").optPort(0).start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (model != null) {
            model.close();
        }
    }

    static URI uri(VitServer s, String pathAndQuery) {
        return URI.create(s.getUri() + pathAndQuery);
    }

    static HttpResponse<String> post(VitServer s, String pathAndQuery, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(s, pathAndQuery)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> r) {
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    static String error(HttpResponse<String> r) {
        return json(r).get("error").getAsString();
    }

    @Test
    void listensOnLoopbackAtTheRealPort() {
        assertTrue(server.getAddress().getAddress().isLoopbackAddress(), server.getAddress().toString());
        assertTrue(server.getAddress().getPort() > 0);
        assertEquals("http://127.0.0.1:" + server.getAddress().getPort(), server.getUri().toString());
        assertEquals(Duration.ofSeconds(REQUEST_TIMEOUT_S), VitServer.getRequestTimeout());
    }

    /** The JDK server writes headers and body as two segments: without TCP_NODELAY Nagle holds the body back. */
    @Test
    void connectionsSendWithoutNagleDelay() {
        assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 16})
    void concurrentClientsGetPredictsAnswers(int clients) throws Exception {
        List<String> names = new ArrayList<>(images.keySet());
        int perClient = Math.max(2, 32 / clients);
        long passesBefore = server.getBatcher().passes();
        long imagesBefore = server.getBatcher().images();
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> done = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    int client = c;
                    done.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < perClient; i++) {
                            String name = names.get((client * 3 + i) % names.size());
                            HttpResponse<String> r = post(server, "/predict", images.get(name));
                            assertEquals(200, r.statusCode(), name + ": " + r.body());
                            assertEquals(predicted.get(name), json(r), name);
                            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
                        }
                        return perClient;
                    }));
                }
                go.countDown();
                int total = 0;
                for (Future<Integer> f : done) {
                    total += f.get();
                }
                assertEquals(clients * perClient, total);
            } finally {
                pool.shutdownNow();
            }
        });
        long passes = server.getBatcher().passes() - passesBefore;
        long served = server.getBatcher().images() - imagesBefore;
        assertEquals(clients * perClient, served);
        if (clients == 16) {
            assertTrue(passes < served, "16 clients shared passes: " + passes + " passes for " + served + " images");
        }
    }

    @Test
    void embedGivesTheLibrarysValues() throws Exception {
        String name = images.keySet().iterator().next();
        for (TokenKind kind : TokenKind.values()) {
            HttpResponse<String> r = post(server, "/embed?tokens=" + kind.cliName(), images.get(name));
            assertEquals(200, r.statusCode(), r.body());
            JsonObject o = json(r);
            float[] want = model.encoder().embed(List.of(model.read(images.get(name), name).value()), kind).get(0).values();
            long[] shape = new com.google.gson.Gson().fromJson(o.get("shape"), long[].class);
            float[] got = new com.google.gson.Gson().fromJson(o.get("values"), float[].class);
            assertArrayEquals(kind.isTokens() ? new long[] {64, 96} : new long[] {96}, shape, kind.cliName());
            assertArrayEquals(want, got, kind.cliName());
        }
        HttpResponse<String> pooled = post(server, "/embed", images.get(name));
        assertEquals(1, json(pooled).getAsJsonArray("shape").size(), "pooled is the default");
    }

    @Test
    void badBodiesAmongGoodOnesGetTheirCodesAndPredictsWords() throws Exception {
        byte[] jpeg = images.get("sample-images/photo-coffee.jpg");
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("empty.png", new byte[0]);
        bad.put("truncated.jpg", Arrays.copyOf(jpeg, jpeg.length / 3));
        bad.put("text.png", "this is not an image\n".getBytes(StandardCharsets.UTF_8));
        bad.put("bomb.png", HostileFiles.pngHeader(100_000, 100_000));
        // predict's words for the same bytes, read from files
        List<String> args = new ArrayList<>(List.of("predict", "--format", "json", "-q"));
        Map<String, String> words = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path f = tmp.resolve(e.getKey());
            Files.write(f, e.getValue());
            args.add(f.toString());
        }
        CliRun run = CliRun.run(args.toArray(String[]::new));
        assertEquals(1, run.code(), run.err());
        for (String line : run.out().strip().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            words.put(Path.of(o.get("path").getAsString()).getFileName().toString(), o.get("error").getAsString());
        }
        byte[] huge = new byte[22 << 20];
        System.arraycopy(jpeg, 0, huge, 0, jpeg.length);

        List<String> names = new ArrayList<>(images.keySet());
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    checks.add(CompletableFuture.runAsync(() -> check(() -> {
                        HttpResponse<String> r = post(server, "/predict", images.get(name));
                        assertEquals(200, r.statusCode(), name + ": " + r.body());
                        assertEquals(predicted.get(name), json(r), name);
                    }), pool));
                    if (i % 3 == 0) {
                        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                            checks.add(CompletableFuture.runAsync(() -> check(() -> {
                                HttpResponse<String> r = post(server, "/predict", e.getValue());
                                int code = e.getKey().startsWith("bomb") ? 413 : 400;
                                assertEquals(code, r.statusCode(), e.getKey() + ": " + r.body());
                                assertEquals(words.get(e.getKey()), error(r), e.getKey());
                            }), pool));
                        }
                    }
                }
                checks.add(CompletableFuture.runAsync(() -> check(() -> {
                    HttpResponse<String> r = post(server, "/predict", huge);
                    assertEquals(413, r.statusCode(), r.body());
                    assertEquals("body of 23068672 bytes is over the limit of 20971520 bytes", error(r));
                }), pool));
            }
            assertTimeoutPreemptively(Duration.ofMinutes(3),
                    () -> CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).get());
        } finally {
            pool.shutdownNow();
        }
        assertTrue(words.get("empty.png").startsWith("file is empty"), words.toString());
        assertTrue(words.get("bomb.png").startsWith("image is 100000x100000 = 10000000000 pixels, above the limit"),
                words.toString());
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(uri(server, "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\",\"model\":\"bundled\"}", health.body().strip());
    }

    @Test
    void theDocumentedRequestsGiveTheDocumentedAnswers() throws Exception {
        String page = Files.readString(Path.of("docs/serving.md"));
        Matcher block = Pattern.compile("```console\n(.*?)```", Pattern.DOTALL).matcher(page);
        int ran = 0;
        while (block.find()) {
            List<String> lines = block.group(1).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).startsWith("$ curl ")) {
                    continue;
                }
                String command = lines.get(i);
                String expected = lines.get(i + 1);
                HttpResponse<String> r = client.send(curl(command), HttpResponse.BodyHandlers.ofString());
                String got = r.body().strip();
                int elided = expected.indexOf("[…");
                if (elided >= 0) {
                    assertEquals(200, r.statusCode(), command + ": " + got);
                    assertEquals(expected.substring(0, elided + 1), got.substring(0, Math.min(got.length(), elided + 1)), command);
                    int count = Integer.parseInt(expected.substring(elided + 2).replaceAll("[^0-9].*", ""));
                    assertEquals(count, json(r).getAsJsonArray("values").size(), command);
                } else {
                    assertJsonClose(JsonParser.parseString(expected), JsonParser.parseString(got), command);
                }
                ran++;
            }
        }
        assertEquals(5, ran, "curl examples in docs/serving.md");
    }

    /** A documented {@code curl} line as a request: {@code --data-binary @FILE} (a POST), {@code -s}, and the URL. */
    static HttpRequest curl(String command) throws IOException {
        List<String> words = new ArrayList<>();
        Matcher w = Pattern.compile("'([^']*)'|(\\S+)").matcher(command.substring("$ curl ".length()));
        while (w.find()) {
            words.add(w.group(1) != null ? w.group(1) : w.group(2));
        }
        byte[] body = null;
        URI target = null;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("--data-binary") && words.get(i + 1).startsWith("@")) {
                body = Files.readAllBytes(Path.of(words.get(++i).substring(1)));
            } else if (word.startsWith("http://127.0.0.1:8080/")) {
                target = uri(server, word.substring("http://127.0.0.1:8080".length()));
            } else if (!word.equals("-s")) {
                throw new AssertionError("the documented command has what this test does not run: " + word + " in " + command);
            }
        }
        assertTrue(target != null, command);
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60));
        return (body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofByteArray(body))).build();
    }

    /** Equal JSON, numbers within 1e-5 (the documented ones were computed on another CPU). */
    static void assertJsonClose(JsonElement want, JsonElement got, String where) {
        if (want.isJsonObject()) {
            assertTrue(got.isJsonObject(), where + ": " + got);
            assertEquals(want.getAsJsonObject().keySet(), got.getAsJsonObject().keySet(), where);
            for (String k : want.getAsJsonObject().keySet()) {
                assertJsonClose(want.getAsJsonObject().get(k), got.getAsJsonObject().get(k), where + "." + k);
            }
        } else if (want.isJsonArray()) {
            assertEquals(want.getAsJsonArray().size(), got.getAsJsonArray().size(), where);
            for (int i = 0; i < want.getAsJsonArray().size(); i++) {
                assertJsonClose(want.getAsJsonArray().get(i), got.getAsJsonArray().get(i), where + "[" + i + "]");
            }
        } else if (want.isJsonPrimitive() && want.getAsJsonPrimitive().isNumber()) {
            assertEquals(want.getAsDouble(), got.getAsDouble(), 1e-5, where);
        } else {
            assertEquals(want, got, where);
        }
    }

    /** A check run in a pool thread, its failure carried out. */
    interface Check {
        void run() throws Exception;
    }

    static void check(Check c) {
        try {
            c.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void otherMethodsPathsAndQueriesAreRefusedInJson() throws Exception {
        byte[] png = images.values().iterator().next();
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri(server, "/predict")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("method GET is not allowed on /predict: use POST", error(get));
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> postHealth = post(server, "/health", png);
        assertEquals(405, postHealth.statusCode());
        assertEquals("GET", postHealth.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> missing = post(server, "/predict/../../etc/passwd", png);
        assertEquals(404, missing.statusCode());
        HttpResponse<String> other = post(server, "/classify", png);
        assertEquals(404, other.statusCode());
        assertEquals("no such path: /classify (paths: /predict, /embed, /health)", error(other));
        assertEquals("top 0: must be an integer of at least 1", error(post(server, "/predict?top=0", png)));
        assertEquals("top three: must be an integer of at least 1", error(post(server, "/predict?top=three", png)));
        assertEquals("unknown query parameter 'path'; /predict takes: top",
                error(post(server, "/predict?path=/etc/passwd", png)));
        HttpResponse<String> tokens = post(server, "/embed?tokens=cls", png);
        assertEquals(400, tokens.statusCode());
        assertEquals("unknown tokens 'cls'; valid: embedded, encoded, pooled", error(tokens));
        // top above the classes lists them all, as predict --top-k does
        HttpResponse<String> all = post(server, "/predict?top=99", png);
        assertEquals(10, json(all).getAsJsonArray("predictions").size());
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        byte[] png = images.values().iterator().next();
        try (VitServer small = VitServer.builder().setBatching(BatchingModel.builder().setModel(model)
                .optMaxBatch(100).optMaxDelay(Duration.ofSeconds(3)).optQueueCapacity(1)).optPort(0).start()) {
            CompletableFuture<HttpResponse<String>> first = client.sendAsync(
                    HttpRequest.newBuilder(uri(small, "/predict")).POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (small.getBatcher().queued() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, small.getBatcher().queued(), "the first request waits out the 3 s delay");
            HttpResponse<String> r = post(small, "/predict", png);
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
            assertEquals("the queue is full: 1 image(s) are waiting for a forward pass; try again later", error(r));
            HttpResponse<String> done = first.get();
            assertEquals(200, done.statusCode(), done.body());
            assertEquals(predicted.get(images.keySet().iterator().next()), json(done));
        }
    }

    @Test
    void clientsThatDisconnectMidRequestCostNothingElse() throws Exception {
        byte[] png = images.values().iterator().next();
        try (VitServer small = VitServer.builder().setBatching(BatchingModel.builder().setModel(model)).optPort(0).optWorkers(2).start()) {
            int port = small.getAddress().getPort();
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + png.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(png, 0, i % 2 == 0 ? png.length / 2 : png.length); // half a body, or all and no wait for the answer
                    out.flush();
                }
            }
            // both workers are free again long before the 2 s request timeout: the next request is answered at once
            long t0 = System.nanoTime();
            HttpResponse<String> r = post(small, "/predict", png);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(predicted.get(images.keySet().iterator().next()), json(r));
            assertTrue((System.nanoTime() - t0) / 1e9 < REQUEST_TIMEOUT_S, "answered after " + (System.nanoTime() - t0) / 1e9 + " s");
        }
    }

    @Test
    void stalledClientsAreCutOffWithoutBlockingTheOthers() throws Exception {
        byte[] png = images.values().iterator().next();
        try (VitServer small = VitServer.builder().setBatching(BatchingModel.builder().setModel(model)).optPort(0).optWorkers(2).start()) {
            int port = small.getAddress().getPort();
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                    s.setSoTimeout((REQUEST_TIMEOUT_S + 20) * 1000);
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + png.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(png, 0, 10); // and then nothing
                    out.flush();
                    stalled.add(s);
                }
                long t0 = System.nanoTime();
                for (Socket s : stalled) {
                    InputStream in = s.getInputStream();
                    try {
                        int b;
                        StringBuilder got = new StringBuilder();
                        while ((b = in.read()) >= 0) {
                            got.append((char) b);
                        }
                        assertFalse(got.toString().startsWith("HTTP/1.1 200"), got.toString());
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("the server held a stalled client for " + s.getSoTimeout() + " ms", e);
                    } catch (IOException reset) {
                        // reset by the server: also cut off
                    }
                }
                double waited = (System.nanoTime() - t0) / 1e9;
                assertTrue(waited < REQUEST_TIMEOUT_S + 15, "cut off after " + waited + " s");
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
            HttpResponse<String> r = post(small, "/predict", png);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(predicted.get(images.keySet().iterator().next()), json(r));
        }
    }
}
