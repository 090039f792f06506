package org.vit4j.bench.peers;

/**
 * One engine running the ViT-Ti/16 forward pass: images {@code (B, 3, H, W)} in C order, on the
 * Java heap, to logits {@code (B, K)} on the Java heap. Every implementation pays the same two
 * copies (heap to native in, native to heap out), so the comparison is of the engines, not of the
 * glue.
 */
public interface ForwardPeer extends AutoCloseable {

    /** @return the engine's name in the tables */
    String name();

    /**
     * Runs the model.
     *
     * @param images {@code (B, 3, H, W)}, normalized, C order
     * @param batch B
     * @param height H
     * @param width W
     * @return logits {@code (B, K)}, C order
     */
    float[] forward(float[] images, int batch, int height, int width);

    @Override
    void close();

    /**
     * Opens an engine on the files written by {@code src/bench/export_peers.py}.
     *
     * @param name {@code vit4j}, {@code onnxruntime} or {@code djl-torchscript}
     * @param files the peers directory
     * @param threads intra-op threads, 0 for the engine's default
     * @return the engine, for the caller to close
     */
    static ForwardPeer open(String name, BenchFiles files, int threads) {
        return switch (name) {
            case Vit4jForward.NAME -> Vit4jForward.importTorchvision(files.safetensors());
            case OrtForward.NAME -> new OrtForward(files.onnx(), threads);
            case TorchScriptForward.NAME -> new TorchScriptForward(files.torchscript());
            default -> throw new IllegalArgumentException(
                    "engine '" + name + "' is not one of vit4j, onnxruntime, djl-torchscript");
        };
    }
}
