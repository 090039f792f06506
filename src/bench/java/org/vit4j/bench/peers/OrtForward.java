package org.vit4j.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime for Java (CPU execution provider, all graph optimizations) on the ONNX export. With
 * {@code OMP_WAIT_POLICY=PASSIVE} in the environment (the setting for a shared machine, see
 * BENCHMARKS.md) its own thread pool stops spinning too ({@code session.intra_op.allow_spinning=0}),
 * so that both engines wait the same way.
 */
final class OrtForward implements ForwardPeer {

    static final String NAME = "onnxruntime";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;

    /**
     * Opens a session.
     *
     * @param onnx {@code vit_ti16.onnx}
     * @param threads intra-op threads, 0 for ONNX Runtime's default (one per physical core)
     */
    OrtForward(Path onnx, int threads) {
        try {
            env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                if (threads > 0) {
                    o.setIntraOpNumThreads(threads);
                }
                if ("PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"))) {
                    o.addConfigEntry("session.intra_op.allow_spinning", "0");
                }
                session = env.createSession(onnx.toString(), o);
            }
            input = session.getInputNames().iterator().next();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot open " + onnx + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public float[] forward(float[] images, int batch, int height, int width) {
        // a heap buffer: ONNX Runtime copies it into native memory once, as DJL's create(float[]) does
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {batch, 3, height, width});
                OrtSession.Result r = session.run(Map.of(input, x))) {
            FloatBuffer logits = ((OnnxTensor) r.get(0)).getFloatBuffer(); // (B, K)
            float[] out = new float[logits.remaining()];
            logits.get(out);
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime forward failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
