package org.vit4j.serve;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.vit4j.infer.BatchingModel;

/**
 * An HTTP server over one model: {@code POST /predict}, {@code POST /embed}, {@code GET /health}
 * (the API: {@link Endpoints}; the guide: {@code docs/serving.md}). Requests are read and decoded
 * by a bounded pool of workers, then share forward passes through a {@link BatchingModel}.
 *
 * <p>It runs on the JDK's {@code com.sun.net.httpserver.HttpServer} (module {@code
 * jdk.httpserver}, in every JDK since 6): the server answers one-image requests with small JSON
 * bodies, which needs no routing, streaming or TLS that a server library would bring, and the JDK's
 * server adds no dependency for the library's users and no second release cycle to follow (Netty,
 * Jetty or Undertow would add several jars and their CVE stream). What it lacks is set here:
 *
 * <ul>
 *   <li>a bounded executor ({@code workers} threads, a queue as long as the batcher's): a
 *       connection that finds it full is closed at once;
 *   <li>slow or stalled clients: the JDK closes a connection whose request (headers and body) is
 *       not read within {@code requestTimeout}, or whose response is not taken within it after
 *       that (the wait for its pass included), which frees its worker; these are the JVM-wide system properties {@code
 *       sun.net.httpserver.maxReqTime} and {@code maxRspTime} (seconds), which the JDK reads once,
 *       when its first server starts: {@link Builder#start()} sets them unless they are set
 *       already, and {@link #getRequestTimeout()} says which value is in force;
 *   <li>a body limit, checked against the declared length before anything is read;
 *   <li>{@code TCP_NODELAY} on its connections (the JVM-wide {@code sun.net.httpserver.nodelay},
 *       set the same way): the JDK writes a response's headers and body as two segments, and
 *       without it Nagle's algorithm holds the body back until the client acknowledges the
 *       headers, which a client delaying its acknowledgements does only after tens of
 *       milliseconds.
 * </ul>
 *
 * <p>Listens on {@code 127.0.0.1} unless another host is named. {@link #close()} stops accepting,
 * lets the requests in progress finish, runs what is queued and stops the workers; it does not
 * close the model.
 *
 * <pre>{@code
 * try (InferenceModel model = InferenceModel.bundled(Device.cpu());
 *      VitServer server = VitServer.builder().setBatching(BatchingModel.builder().setModel(model))
 *              .optPort(8080).start()) {
 *     System.out.println("listening on " + server.getUri());
 *     server.awaitClose(); // until another thread (e.g. a shutdown hook) closes it
 * }
 * }</pre>
 */
public final class VitServer implements AutoCloseable {

    /** Default body limit: 20 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 20L << 20;

    private static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";
    private static final String MAX_RSP_TIME = "sun.net.httpserver.maxRspTime";
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    private final HttpServer http;
    private final ThreadPoolExecutor workers;
    private final BatchingModel batcher;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger closing = new AtomicInteger();

    private final Endpoints endpoints;

    private VitServer(HttpServer http, Endpoints endpoints, ThreadPoolExecutor workers, BatchingModel batcher) {
        this.http = http;
        this.endpoints = endpoints;
        this.workers = workers;
        this.batcher = batcher;
    }

    /** @return a builder; {@code setModel} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the address listened on, with the real port (also when port 0 was asked for) */
    public InetSocketAddress getAddress() {
        return http.getAddress();
    }

    /** @return {@code http://HOST:PORT}, e.g. {@code http://127.0.0.1:8080} */
    public URI getUri() {
        InetSocketAddress a = getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    /** @return the batcher the requests share */
    public BatchingModel getBatcher() {
        return batcher;
    }

    /**
     * The time a request may take to arrive before its connection is closed, as in force in this
     * JVM ({@code sun.net.httpserver.maxReqTime}).
     *
     * @return the timeout, or null if the JVM has none (the JDK's default: no limit)
     */
    public static Duration getRequestTimeout() {
        Long s = Long.getLong(MAX_REQ_TIME);
        return s == null || s < 0 ? null : Duration.ofSeconds(s);
    }

    /**
     * Waits until {@link #close()} has finished (from another thread).
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /**
     * Answers new requests with 503, waits up to 10 s for the requests in progress, stops
     * listening, runs what the batcher still holds, and stops the workers; closing twice does nothing more.
     */
    @Override
    public void close() {
        if (closing.getAndIncrement() > 0) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            // the JDK's stop(delay) waits out its whole delay while clients keep idle connections
            // open, and stop(0) cuts requests in progress: the handler drains them first
            endpoints.drain(Duration.ofSeconds(10));
            http.stop(0);
            batcher.close();
            workers.shutdown();
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            closed.countDown();
        }
    }

    /** Builds and starts a {@link VitServer}: {@code setBatching} is required, {@code opt} methods have defaults. */
    public static final class Builder {
        private BatchingModel.Builder batching;
        private String modelName = "vit4j model";
        private String host = "127.0.0.1";
        private int port = 8080;
        private int workers = 16;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration requestTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /**
         * The model to serve and how concurrent calls share its passes: a {@link BatchingModel#builder()}
         * with its model ({@code setModel}, which the server does not close) and, optionally, its
         * {@code optMaxBatch}, {@code optMaxDelay} and {@code optQueueCapacity} (that capacity also
         * bounds the workers' queue). The server builds it at {@link #start()} and closes the batcher
         * it built when it closes.
         *
         * @param batching the batcher's builder
         * @return this
         */
        public Builder setBatching(BatchingModel.Builder batching) {
            this.batching = batching;
            return this;
        }

        /**
         * The model's name in {@code GET /health}.
         *
         * @param name default {@code "vit4j model"}
         * @return this
         */
        public Builder optModelName(String name) {
            this.modelName = name;
            return this;
        }

        /**
         * The address to listen on.
         *
         * @param host default {@code 127.0.0.1} (this machine only); {@code 0.0.0.0} for every interface
         * @return this
         */
        public Builder optHost(String host) {
            this.host = host;
            return this;
        }

        /**
         * The port.
         *
         * @param port default 8080; 0 picks a free one ({@link VitServer#getAddress()} tells which)
         * @return this
         */
        public Builder optPort(int port) {
            this.port = port;
            return this;
        }


        /**
         * Threads that read, decode and answer requests.
         *
         * @param workers default 16, at least 1
         * @return this
         */
        public Builder optWorkers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * The largest request body; a larger one is answered 413.
         *
         * @param maxBodyBytes default {@link #DEFAULT_MAX_BODY_BYTES} (20 MiB), at least 1
         * @return this
         */
        public Builder optMaxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * How long a request may take to arrive (and a response to be taken) before the connection
         * is closed; whole seconds, JVM-wide, set only if the JVM has no value yet (see {@link
         * VitServer}).
         *
         * @param requestTimeout default 30 s, at least 1 s
         * @return this
         */
        public Builder optRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * Checks the settings, binds the address and starts serving.
         *
         * @return the running server, for the caller to close
         * @throws IllegalArgumentException naming the setting and its value if one is out of range
         * @throws IOException if the address cannot be bound (e.g. the port is in use)
         */
        public VitServer start() throws IOException {
            if (batching == null) {
                throw new IllegalArgumentException("setBatching is required");
            }
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must be named, got '" + host + "'");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1, got " + maxBodyBytes);
            }
            if (requestTimeout == null || requestTimeout.getSeconds() < 1) {
                throw new IllegalArgumentException("requestTimeout must be at least 1 s, got " + requestTimeout);
            }
            InetAddress address = InetAddress.getByName(host);
            if (System.getProperty(MAX_REQ_TIME) == null) {
                System.setProperty(MAX_REQ_TIME, Long.toString(requestTimeout.getSeconds()));
            }
            if (System.getProperty(MAX_RSP_TIME) == null) {
                System.setProperty(MAX_RSP_TIME, Long.toString(requestTimeout.getSeconds()));
            }
            if (System.getProperty(NO_DELAY) == null) {
                System.setProperty(NO_DELAY, "true");
            }
            BatchingModel batcher = batching.build();
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(batcher.getQueueCapacity()), r -> {
                        Thread t = new Thread(r, "vit4j-serve-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            HttpServer http;
            try {
                http = HttpServer.create(new InetSocketAddress(address, port), 0);
            } catch (IOException | RuntimeException e) {
                batcher.close();
                pool.shutdown();
                throw e;
            }
            Endpoints endpoints = new Endpoints(batcher, modelName, maxBodyBytes);
            http.createContext("/", endpoints);
            http.setExecutor(pool);
            http.start();
            return new VitServer(http, endpoints, pool, batcher);
        }
    }
}
