package org.vit4j.bench.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ViT-Ti/16 forward at 224×224, fp32, on one caller thread: operations/s = passes/s, so images/s =
 * score × batch. Input: seeded N(0, 1) images on the Java heap; output: logits on the Java heap.
 * Engine set-up (and so the engine's own thread-local state) happens on the JMH worker thread that
 * then runs the passes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ForwardBench {

    /** Engine: vit4j, onnxruntime or djl-torchscript. */
    @Param({"vit4j", "onnxruntime", "djl-torchscript"})
    public String engine;

    /** Images per pass. */
    @Param({"1", "32"})
    public int batch;

    private ForwardPeer peer;
    private float[] images;

    /** Opens the engine and makes the input. */
    @Setup(Level.Trial)
    public void setUp() {
        peer = ForwardPeer.open(engine, BenchFiles.fromProperties(), BenchFiles.threads());
        images = BenchFiles.randomImages(batch, 224, 224, 42);
    }

    /**
     * One forward pass.
     *
     * @return the logits (returned, so that JMH keeps the work)
     */
    @Benchmark
    public float[] forward() {
        return peer.forward(images, batch, 224, 224);
    }

    /** Closes the engine. */
    @TearDown(Level.Trial)
    public void tearDown() {
        peer.close();
    }
}
