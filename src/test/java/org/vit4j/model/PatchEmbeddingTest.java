package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The linear patch embedding is timm's {@code Conv2d(C, D, kernel=P, stride=P)}. */
class PatchEmbeddingTest {

    @Test
    void equalsStridedConvolutionWithReshapedWeight() throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(16).setDepth(1).setHeads(2).setNumClasses(4).build();
        try (VitModel model = TestModels.create(config, 11); NDManager m = model.newManager()) {
            // a 32x48 input: a 4x6 grid, not the configured one, so row-major order is tested too
            NDArray x = TestModels.images(m, 5, new Shape(2, 3, 32, 48));
            NDArray tokens = model.getBlock().getPatchEmbedding()
                    .forward(new ParameterStore(m, false), new NDList(x), false).head();
            assertEquals(new Shape(2, 24, 16), tokens.getShape()); // (B, N, D)

            NDArray w = model.getBlock().namedParameters().get("patch_embed.proj.weight").getArray();
            NDArray b = model.getBlock().namedParameters().get("patch_embed.proj.bias").getArray();
            assertEquals(new Shape(16, 3 * 8 * 8), w.getShape());
            NDArray conv = Conv2d.conv2d(x, w.reshape(16, 3, 8, 8), b, new Shape(8, 8)).head(); // (B, D, 4, 6)
            assertEquals(new Shape(2, 16, 4, 6), conv.getShape());
            NDArray expected = conv.reshape(2, 16, 24).transpose(0, 2, 1); // (B, N, D)
            double diff = TestModels.maxAbsDiff(expected.toFloatArray(), tokens.toFloatArray());
            assertTrue(diff < 1e-5, "max |conv - linear| = " + diff);
            // the weights are not degenerate: the tokens are far from zero
            assertTrue(tokens.abs().max().getFloat() > 0.5f);
        }
    }

    @Test
    void refusesWrongChannelCount() throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(16).setDepth(1).setHeads(2).setNumClasses(4).build();
        try (VitModel model = TestModels.create(config, 1); NDManager m = model.newManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.getBlock().getPatchEmbedding().forward(
                            new ParameterStore(m, false), new NDList(m.zeros(new Shape(1, 1, 32, 32))), false));
            assertEquals("patch embedding expects images (B, 3, H, W), got shape (1, 1, 32, 32)", e.getMessage());
        }
    }
}
