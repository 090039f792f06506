package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.vit4j.position.PositionEmbeddingKind;

class LeakProbeTest {
    @Test
    void probe() throws Exception {
        for (PositionEmbeddingKind kind : PositionEmbeddingKind.values()) {
            for (Pooling pool : Pooling.values()) {
                ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                        .setWidth(16).setDepth(1).setHeads(2).setNumClasses(4).optPooling(pool).optPosEmb(kind).build();
                try (VitModel model = TestModels.create(config, 53)) {
                    NDManager owner = model.getModel().getNDManager();
                    int b0 = owner.getManagedArrays().size();
                    try (NDManager m = model.newManager()) {
                        model.forward(TestModels.images(m, 1, new Shape(1, 3, 32, 32)));
                    }
                    int b1 = owner.getManagedArrays().size();
                    try (NDManager m = model.newManager()) {
                        model.forward(TestModels.images(m, 1, new Shape(1, 3, 32, 32)));
                    }
                    int b2 = owner.getManagedArrays().size();
                    try (NDManager m = model.newManager()) {
                        NDArray x = TestModels.images(m, 1, new Shape(1, 3, 32, 32));
                        model.getBlock().getPatchEmbedding().forward(new ParameterStore(m, false), new NDList(x), false);
                    }
                    int b3 = owner.getManagedArrays().size();
                    System.out.println("PROBE " + kind + " " + pool + " " + b0 + " " + b1 + " " + b2 + " patchembed+" + (b3 - b2));
                }
            }
        }
    }
}
