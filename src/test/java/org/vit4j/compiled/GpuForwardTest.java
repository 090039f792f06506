package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * The compiled program on a CUDA GPU gives the CPU's logits to 1e-3. Runs only where DJL reports a
 * GPU (a CUDA build of libtorch on the classpath); skipped everywhere else, including this
 * project's CI and build machines, where it has never run.
 */
class GpuForwardTest {

    @Test
    void gpuLogitsMatchTheCpusInFp32() throws IOException {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() > 0, "no GPU visible to DJL's PyTorch engine");
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(32).setDepth(2).setHeads(4).setNumClasses(5).optRegisterTokens(1).build();
        float[] cpu;
        float[] images;
        try (VitModel model = TestModels.create(config, 9);
                InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32);
                NDManager m = model.newManager()) {
            images = TestModels.images(m, 4, new Shape(3, 3, 32, 32)).toFloatArray();
            cpu = f.forward(m.create(images, new Shape(3, 3, 32, 32))).get(0).toFloatArray();
            byte[] weights = model.weightsAsSafetensors();
            try (VitModel gpuModel = VitModel.create(config, model.getLabels(), Device.gpu(), 0)) {
                gpuModel.loadWeights(weights, "cpu model");
                try (InferenceForward g = InferenceForward.of(gpuModel, ForwardEngine.COMPILED, Precision.FP32);
                        NDManager gm = gpuModel.newManager()) {
                    float[] gpu = g.forward(gm.create(images, new Shape(3, 3, 32, 32))).get(0).toFloatArray();
                    double diff = TestModels.maxAbsDiff(cpu, gpu);
                    assertTrue(diff <= 1e-3, "max |gpu - cpu| = " + diff);
                }
            }
        }
    }
}
