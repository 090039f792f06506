package org.vit4j.cli;

import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.vit4j.infer.BatchingModel;
import org.vit4j.infer.InferenceModel;
import org.vit4j.serve.VitServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j serve}: the model over HTTP ({@link VitServer}) until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over HTTP: POST /predict and /embed with an image as the body, GET /health."
                + " Concurrent requests share forward passes (dynamic batching). Ctrl-C stops it.")
final class ServeCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin PixelLimit pixelLimit;

    @Mixin ForwardOptions forward;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled Fashion-MNIST model).")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "H",
            description = "Address to listen on; another than this machine's only when named, e.g. 0.0.0.0 (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "P", converter = Port.class,
            description = "Port; 0 picks a free one, printed with the address (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Most images in one forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay-ms", defaultValue = "5", paramLabel = "D", converter = Milliseconds.class,
            description = "How long the first waiting request waits for others to share its pass (default: ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(names = "--queue", defaultValue = "256", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Most images waiting for a pass; more are answered 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body-mb", defaultValue = "20", paramLabel = "MB", converter = Converters.PositiveInt.class,
            description = "Largest request body in MiB; larger is answered 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyMb;

    @Override
    public Integer call() throws Exception {
        try {
            InetAddress.getByName(host); // a name that does not resolve is a usage error, found before the model loads
        } catch (UnknownHostException e) {
            throw Usage.error(spec, "--host " + host + ": not a known host name or address");
        }
        try (InferenceModel loaded = forward.load(common.loadModel(model, common.device()), pixelLimit.value())) {
            VitServer server;
            try {
                server = VitServer.builder()
                        .setBatching(BatchingModel.builder().setModel(loaded).optMaxBatch(maxBatch)
                                .optMaxDelay(Duration.ofMillis(maxDelayMs)).optQueueCapacity(queue))
                        .optModelName(model == null ? "bundled" : model.toString())
                        .optHost(host).optPort(port)
                        .optMaxBodyBytes((long) maxBodyMb << 20).start();
            } catch (BindException e) {
                throw new BindException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vit4j-serve-stop"));
            PrintWriter out = spec.commandLine().getOut();
            out.println("listening on " + server.getUri() + " (POST /predict, POST /embed, GET /health; Ctrl-C stops)");
            out.flush();
            server.awaitClose();
            return ExitCodes.OK;
        }
    }

    /** A port, 0 to 65535 (0: a free one). */
    static final class Port extends Converters.IntegerRange<Integer> {
        Port() {
            super(0, 65_535, "not a port number (0 to 65535)", v -> (int) v);
        }
    }

    /** Milliseconds, 0 to 60 000. */
    static final class Milliseconds extends Converters.IntegerRange<Long> {
        Milliseconds() {
            super(0, 60_000, "not an integer", v -> v);
        }
    }
}
