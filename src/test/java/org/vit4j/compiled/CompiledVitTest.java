package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.model.Architecture;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.VitModel;

/**
 * The compiled forward computes the eager blocks' numbers: fp32 logits, pooled embeddings and
 * tokens agree to 1e-5 on every configuration kind, at the trained and at other (non-square) input
 * sizes; a batch gives each image what it gives alone; repeated calls are bit-identical.
 */
class CompiledVitTest {

    private static final double TOLERANCE = 1e-5;
    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");

    private static ViTConfigBuilder base() {
        return TestModels.smallBuilder();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vit4j.model.TestModels#architectures")
    void agreesWithTheEagerBlocksAtTheTrainedAndAnotherSize(String name, ViTConfig config) throws IOException {
        assertTrue(CompiledVit.supports(config), CompiledVit.unsupported(config));
        Architecture a = config.architecture();
        int h = a.imageHeight();
        int w = a.imageWidth();
        int p = a.patchSize();
        try (VitModel model = TestModels.create(config, 7);
                CompiledVit compiled = CompiledVit.compile(model.getBlock(), FP32, model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            for (Shape s : List.of(new Shape(3, a.channels(), h, w),
                    new Shape(2, a.channels(), h + 2 * p, w - p))) { // another grid, not square
                NDArray x = TestModels.images(m, 11, s);
                NDList eager = model.forward(x);
                NDList fast = compiled.forward(x);
                assertClose(eager.get(0), fast.get(0), name + " logits " + s);
                assertClose(eager.get(1), fast.get(1), name + " pooled " + s);
                assertClose(model.pooled(x), compiled.pooled(x), name + " pooled() " + s);
                assertClose(model.embed(x), compiled.embed(x), name + " tokens " + s);
            }
        }
    }

    private static void assertClose(NDArray want, NDArray got, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        double diff = TestModels.maxAbsDiff(want.toFloatArray(), got.toFloatArray());
        assertTrue(diff <= TOLERANCE, what + ": max |eager - compiled| = " + diff);
    }

    @Test
    void aBatchGivesEveryImageItsOwnResultAndRepeatsAreBitIdentical() throws IOException {
        // registers, a learned table, rope-mixed's per-block tables and LayerScale folded into the weights
        ViTConfig config = base().optRegisterTokens(1).optPosEmb("rope-mixed+learned").optLayerScale(0.1).build();
        try (VitModel model = TestModels.create(config, 3);
                CompiledVit compiled = CompiledVit.compile(model.getBlock(), FP32, model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            NDArray batch = TestModels.images(m, 5, new Shape(5, 3, 32, 32));
            float[] all = compiled.forward(batch).get(0).toFloatArray();
            assertArrayEquals(all, compiled.forward(batch).get(0).toFloatArray());
            assertArrayEquals(all, compiled.forward(batch).get(0).toFloatArray());
            int k = config.architecture().numClasses();
            for (int i = 0; i < 5; i++) {
                float[] alone = compiled.forward(batch.get("{}:{}", i, i + 1)).get(0).toFloatArray();
                float[] row = java.util.Arrays.copyOfRange(all, i * k, (i + 1) * k);
                double diff = TestModels.maxAbsDiff(row, alone);
                assertTrue(diff <= TOLERANCE, "image " + i + " alone vs in a batch of 5: " + diff);
            }
        }
    }

    @Test
    void refusesWrongImagesWithTheShape() throws IOException {
        try (VitModel model = TestModels.create(base().build(), 1);
                CompiledVit compiled = CompiledVit.compile(model.getBlock(), FP32, model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> compiled.forward(m.zeros(new Shape(1, 1, 32, 32))));
            assertEquals("model expects float32 images (B, 3, H, W), got float32 (1, 1, 32, 32)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> compiled.forward(m.zeros(new Shape(1, 3, 30, 32))));
            assertTrue(e.getMessage().contains("30"), e.getMessage());
        }
    }

    @Test
    void autoMustBeResolvedFirst() throws IOException {
        try (VitModel model = TestModels.create(base().build(), 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompiledVit.compile(
                    model.getBlock(), new Precision.Choice(Precision.AUTO, "x"), model.getModel().getNDManager()));
            assertTrue(e.getMessage().contains("resolve precision auto"), e.getMessage());
        }
        assertFalse(CompiledVit.unsupported(base().build()) != null);
    }
}
