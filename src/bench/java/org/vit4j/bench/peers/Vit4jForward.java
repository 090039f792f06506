package org.vit4j.bench.peers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.vit4j.interop.CheckpointImporter;
import org.vit4j.interop.Source;
import org.vit4j.model.VitModel;

/** vit4j's own forward ({@link VitModel#forward}) on the torchvision weights, imported as a user would. */
final class Vit4jForward implements ForwardPeer {

    static final String NAME = "vit4j";

    private final VitModel model;

    private Vit4jForward(VitModel model) {
        this.model = model;
    }

    /**
     * Imports the exported torchvision state dict (ViT-Ti: 3 heads).
     *
     * @param safetensors {@code vit_ti16.safetensors}
     * @return the engine
     */
    static Vit4jForward importTorchvision(Path safetensors) {
        try {
            return new Vit4jForward(CheckpointImporter.builder()
                    .setSource(Source.TORCHVISION)
                    .setWeights(safetensors)
                    .optHeads(3)
                    .build()
                    .toModel(Device.cpu()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public float[] forward(float[] images, int batch, int height, int width) {
        try (NDManager step = model.newManager()) {
            NDArray x = step.create(images, new Shape(batch, 3, height, width)); // (B, C, H, W)
            return model.forward(x).get(0).toFloatArray(); // (B, K)
        }
    }

    /** @return the model */
    VitModel model() {
        return model;
    }

    @Override
    public void close() {
        model.close();
    }
}
