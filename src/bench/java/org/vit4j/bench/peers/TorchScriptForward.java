package org.vit4j.bench.peers;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * DJL's PyTorch engine running the TorchScript trace ({@code PtSymbolBlock}). vit4j itself never
 * loads TorchScript; here it is only the peer, loaded explicitly through {@link Criteria}.
 */
final class TorchScriptForward implements ForwardPeer {

    static final String NAME = "djl-torchscript";

    private final ZooModel<NDList, NDList> model;

    /**
     * Loads the trace.
     *
     * @param pt {@code vit_ti16.pt}
     */
    TorchScriptForward(Path pt) {
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(pt)
                .optEngine("PyTorch")
                .optDevice(Device.cpu())
                .build();
        try {
            model = criteria.loadModel();
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            throw new IllegalStateException("DJL cannot load the TorchScript file " + pt + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public float[] forward(float[] images, int batch, int height, int width) {
        try (NDManager step = model.getNDManager().newSubManager()) {
            NDArray x = step.create(images, new Shape(batch, 3, height, width)); // (B, C, H, W)
            NDList out = model.getBlock().forward(new ParameterStore(step, false), new NDList(x), false);
            return out.head().toFloatArray(); // (B, K)
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
