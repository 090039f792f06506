package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/** The engine and precision chosen for a model, the reasons given, and what is refused. */
class InferenceForwardTest {

    private static ViTConfig config() {
        return ViTConfig.builder().setImageSize(16, 16).setPatchSize(8).optChannels(1)
                .setWidth(16).setDepth(1).setHeads(2).setNumClasses(3).build();
    }

    /**
     * RoPE, LayerScale and a q/v-only bias once fell back to the eager blocks; they compile, in fp32
     * and bf16. ({@link CompiledParityTest} checks every config option and the numbers.)
     */
    @Test
    void rotaryLayerScaleAndQvBiasModelsCompile() throws IOException {
        ViTConfig[] configs = {
            config().toBuilder().optPosEmb("rope-axial").build(),
            config().toBuilder().optPosEmb("rope-mixed+learned").build(),
            config().toBuilder().optPosEmb("rope-dinov3").optKeyBias(false).build(),
            config().toBuilder().optLayerScale(0.1).optRegisterTokens(2).build()};
        for (ViTConfig cfg : configs) {
            try (VitModel model = TestModels.create(cfg, 2); NDManager m = model.newManager()) {
                NDArray x = TestModels.images(m, 1, new Shape(2, 1, 16, 16));
                for (Precision p : new Precision[] {Precision.FP32, Precision.BF16}) {
                    try (InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, p)) {
                        assertEquals(ForwardEngine.COMPILED, f.engine(), cfg.architecture().positionName());
                        assertEquals("compiled requested", f.reason());
                        assertEquals(p, f.precision().precision());
                        assertEquals(new Shape(2, 3), f.forward(x).get(0).getShape());
                    }
                }
            }
        }
    }

    @Test
    void compiledByDefaultEagerOnRequest() throws IOException {
        try (VitModel model = TestModels.create(config(), 2); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 1, new Shape(2, 1, 16, 16));
            float[] eagerLogits = model.forward(x).get(0).toFloatArray();
            try (InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32)) {
                assertEquals(ForwardEngine.COMPILED, f.engine());
                assertEquals("compiled (compiled requested), fp32 (fp32 requested)", f.describe());
                assertTrue(TestModels.maxAbsDiff(eagerLogits, f.forward(x).get(0).toFloatArray()) <= 1e-5);
            }
            try (InferenceForward f = InferenceForward.of(model, ForwardEngine.EAGER, Precision.AUTO)) {
                assertEquals(ForwardEngine.EAGER, f.engine());
                assertEquals("eager (eager requested), fp32 (auto: the eager blocks are fp32)", f.describe());
                assertArrayEquals(eagerLogits, f.forward(x).get(0).toFloatArray()); // the very same code
            }
        }
    }

    @Test
    void autoFollowsThisMachinesCpu() throws IOException {
        try (VitModel model = TestModels.create(config(), 2);
                InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.AUTO)) {
            boolean native16 = CpuFeatures.current().hasNativeBf16();
            assertEquals(native16 ? Precision.BF16 : Precision.FP32, f.precision().precision());
            assertTrue(f.precision().reason().startsWith("auto: CPU has"), f.precision().reason());
        }
    }

    @Test
    void bf16IsRefusedOnTheEagerBlocks() throws IOException {
        try (VitModel model = TestModels.create(config(), 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> InferenceForward.of(model, ForwardEngine.EAGER, Precision.BF16));
            assertEquals("precision bf16 needs the compiled forward, but the eager blocks run (eager requested)",
                    e.getMessage());
        }
    }

    /** DJL's block (for {@code Criteria}) is chosen by the same rules, with the same refusal. */
    @Test
    void blockIsChosenAsTheForwardIs() throws IOException {
        try (VitModel model = TestModels.create(config(), 2); NDManager m = model.newManager()) {
            NDManager owner = model.getModel().getNDManager();
            NDArray x = TestModels.images(m, 1, new Shape(2, 1, 16, 16));
            float[] eagerLogits = model.forward(x).get(0).toFloatArray();
            assertSame(model.getBlock(), InferenceForward.block(model.getBlock(), owner, ForwardEngine.EAGER,
                    Precision.AUTO));
            Block block = InferenceForward.block(model.getBlock(), owner, ForwardEngine.COMPILED, Precision.AUTO);
            CompiledVit compiled = assertInstanceOf(CompiledBlock.class, block).getCompiled();
            try (InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.AUTO)) {
                assertEquals(f.precision(), compiled.getPrecision());
                assertEquals(f.compiled().routes().requested(), compiled.routes().requested());
            }
            Block fp32 = InferenceForward.block(model.getBlock(), owner, ForwardEngine.COMPILED, Precision.FP32);
            float[] logits = fp32.forward(new ParameterStore(m, false), new NDList(x), false).get(0).toFloatArray();
            assertTrue(TestModels.maxAbsDiff(eagerLogits, logits) <= 1e-5, "compiled block vs eager");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> InferenceForward.block(model.getBlock(), owner, ForwardEngine.EAGER, Precision.BF16));
            assertEquals("precision bf16 needs the compiled forward, but the eager blocks run (eager requested)",
                    e.getMessage());
        }
    }

    @Test
    void bf16ReturnsFloat32AndStaysNearFp32() throws IOException {
        try (VitModel model = TestModels.create(config(), 2);
                InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.BF16);
                NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 1, new Shape(4, 1, 16, 16));
            float[] fp32 = model.forward(x).get(0).toFloatArray();
            NDArray logits = f.forward(x).get(0);
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, logits.getDataType());
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, f.pooled(x).getDataType());
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, f.embed(x).getDataType());
            double scale = TestModels.maxAbsDiff(fp32, new float[fp32.length]);
            double diff = TestModels.maxAbsDiff(fp32, logits.toFloatArray());
            // bfloat16 rounds to 8 significant bits (0.4%): more than 1e-4 apart, within 2% of the scale
            assertTrue(diff > 1e-4 && diff < 0.02 * scale, "bf16 vs fp32 " + diff + ", max |logit| " + scale);
            assertArrayEquals(logits.toFloatArray(), f.forward(x).get(0).toFloatArray()); // repeats are bit-identical
        }
    }
}
