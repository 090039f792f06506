package org.vit4j.serve;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.ImageTooLargeException;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.BatchingModel;
import org.vit4j.infer.QueueFullException;
import org.vit4j.infer.ResultJson;
import org.vit4j.infer.TokenKind;

/**
 * The server's three paths, and the one place where a failure becomes a status code:
 *
 * <ul>
 *   <li>{@code POST /predict[?top=K]}: the body is an encoded image; 200 and {@link
 *       ResultJson#classification} without {@code path} ({@code K} default 3, at most the model's
 *       classes, as {@code vit4j predict --top-k});
 *   <li>{@code POST /embed[?tokens=pooled|encoded|embedded]}: 200 and {@link
 *       ResultJson#embedding};
 *   <li>{@code GET /health}: 200 and {@code {"status": "ok", "model": NAME}}.
 * </ul>
 *
 * Errors are {@code {"error": ...}}: 400 for a body that is not a readable image (in {@code vit4j
 * predict}'s words) or a bad query, 413 for a body over the limit or an image over the pixel limit,
 * 405 for another method, 404 for another path, 503 with {@code Retry-After} when the batcher's
 * queue is full or the server is stopping. Only the body is read: nothing in a request names a file.
 */
final class Endpoints implements HttpHandler {

    /** Default of {@code top}, as {@code vit4j predict --top-k}. */
    static final int DEFAULT_TOP = 3;

    /** A declared body up to this many times the limit is read and dropped before the 413, so the client sees it. */
    private static final int DRAIN_FACTOR = 4;

    private final BatchingModel batcher;
    private final String modelName;
    private final long maxBodyBytes;

    /**
     * The handler of one server.
     *
     * @param batcher runs the passes
     * @param modelName the model's name in {@code /health}
     * @param maxBodyBytes the largest body read
     */
    Endpoints(BatchingModel batcher, String modelName, long maxBodyBytes) {
        this.batcher = batcher;
        this.modelName = modelName;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Exchanges being answered now. */
    private final AtomicInteger active = new AtomicInteger();
    /** Whether the server is stopping: new requests are answered 503. */
    private volatile boolean stopping;

    @Override
    public void handle(HttpExchange exchange) {
        active.incrementAndGet();
        try {
            send(exchange, stopping ? Reply.error(503, "the server is stopping") : answer(exchange));
        } catch (IOException | RuntimeException e) {
            // the client went away, or wrote a body that cannot be read: nothing is left to answer
        } finally {
            exchange.close();
            active.decrementAndGet();
        }
    }

    /**
     * Answers new requests with 503 from now on and waits for those being answered.
     *
     * @param timeout the longest wait
     * @throws InterruptedException if the waiting thread is interrupted
     */
    void drain(Duration timeout) throws InterruptedException {
        stopping = true;
        long end = System.nanoTime() + timeout.toNanos();
        while (active.get() > 0 && System.nanoTime() - end < 0) {
            Thread.sleep(10);
        }
    }

    /** Routes a request and turns every failure into its reply. */
    private Reply answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        try {
            switch (path) {
                case "/health":
                    if (!method.equals("GET")) {
                        return Reply.notAllowed(method, path, "GET");
                    }
                    JsonObject o = new JsonObject();
                    o.addProperty("status", "ok");
                    o.addProperty("model", modelName);
                    return Reply.ok(o);
                case "/predict": {
                    if (!method.equals("POST")) {
                        return Reply.notAllowed(method, path, "POST");
                    }
                    Map<String, String> q = query(exchange, Set.of("top"));
                    int top = top(q.get("top"));
                    PreprocessedImage image = image(exchange);
                    int k = Math.min(top, batcher.getModel().getConfig().architecture().numClasses());
                    return Reply.ok(ResultJson.classification(null, batcher.classify(image, k), false));
                }
                case "/embed": {
                    if (!method.equals("POST")) {
                        return Reply.notAllowed(method, path, "POST");
                    }
                    Map<String, String> q = query(exchange, Set.of("tokens"));
                    TokenKind kind = q.containsKey("tokens") ? TokenKind.fromName(q.get("tokens")) : TokenKind.POOLED;
                    PreprocessedImage image = image(exchange);
                    return Reply.ok(ResultJson.embedding(batcher.embed(image, kind)));
                }
                default:
                    return Reply.error(404, "no such path: " + path + " (paths: /predict, /embed, /health)");
            }
        } catch (BodyTooLarge e) {
            return Reply.error(413, e.getMessage());
        } catch (ImageTooLargeException e) {
            return Reply.error(413, e.getReason());
        } catch (ImageLoadException e) {
            return Reply.error(400, e.getReason());
        } catch (QueueFullException e) {
            return Reply.error(503, e.getMessage());
        } catch (IllegalStateException e) {
            return Reply.error(503, "the server is stopping: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        } catch (RuntimeException e) {
            return Reply.error(500, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** {@code top}: a positive integer, default {@link #DEFAULT_TOP}. */
    private static int top(String value) {
        if (value == null) {
            return DEFAULT_TOP;
        }
        int top;
        try {
            top = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("top " + value + ": must be an integer of at least 1");
        }
        if (top < 1) {
            throw new IllegalArgumentException("top " + value + ": must be an integer of at least 1");
        }
        return top;
    }

    /** The query's parameters, each at most once and each one the path takes. */
    private static Map<String, String> query(HttpExchange exchange, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown query parameter '" + name + "'; "
                        + exchange.getRequestURI().getPath() + " takes: " + String.join(", ", known));
            }
            if (out.put(name, value) != null) {
                throw new IllegalArgumentException("query parameter '" + name + "' given twice");
            }
        }
        return out;
    }

    /** Reads the body (at most the limit) and decodes it in this worker's thread. */
    private PreprocessedImage image(HttpExchange exchange) throws IOException {
        return batcher.decode(body(exchange), "request body");
    }

    /**
     * The body, at most {@code maxBodyBytes}. A declared length over the limit is refused before
     * reading (its bytes are read and dropped when there are no more than a few times the limit,
     * so that the client, still sending, gets the 413); an undeclared one is read up to the limit.
     */
    private byte[] body(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        InputStream in = exchange.getRequestBody();
        if (declared != null) {
            long length = Long.parseLong(declared.trim()); // the JDK server refused non-numbers already
            if (length > maxBodyBytes) {
                if (length <= DRAIN_FACTOR * maxBodyBytes) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                throw new BodyTooLarge(length, maxBodyBytes);
            }
        }
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        if (body.length > maxBodyBytes) {
            throw new BodyTooLarge(-1, maxBodyBytes);
        }
        return body;
    }

    /** Writes a reply as compact JSON with its length. */
    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = (ResultJson.line(reply.json()) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A body over the limit (413). */
    private static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge(long length, long limit) {
            super(length >= 0
                    ? "body of " + length + " bytes is over the limit of " + limit + " bytes"
                    : "body is over the limit of " + limit + " bytes");
        }
    }
}
