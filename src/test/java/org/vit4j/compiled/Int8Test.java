package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.InvalidOptionException;
import org.vit4j.infer.BundledModel;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.train.TrainOptions;

/**
 * {@code int8}: every linear layer of every config ({@link ConfigCases}) passes the program's
 * load-time check and runs int8, by the int8 route measured fastest for its shape, with logits
 * within {@value #LOGIT_SHARE} of the largest |logit| of fp32's; each int8 route's relative error
 * per layer is within the check's tolerance, {@value #TOLERANCE}, on the check's input and on
 * Gaussian rows (measured on the bundled model's trained weights, {@code int8}: 2.7e-3 to 1.2e-2 and
 * 1.2e-2 to 1.6e-2), a weight that is not the stored one fails it, and a row's product does not
 * depend on the rows around it; {@code int8-rows} sums exactly at the weight level it chose;
 * results repeat bit for bit, do not depend on the other images of a batch; {@code auto} never
 * picks int8; the eager blocks and training refuse it.
 */
class Int8Test {

    /** The program's tolerance for the int8 route ({@code vit.py} agrees). */
    static final double TOLERANCE = 3e-2;

    /**
     * int8 logits against fp32's, as a share of the largest |logit|, on these random-weight models:
     * at most 7.3 % measured (rope-axial; most are 1.3 to 5 %).
     */
    private static final double LOGIT_SHARE = 0.10;

    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");
    private static final Precision.Choice INT8 = new Precision.Choice(Precision.INT8, "test");

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vit4j.model.ConfigCases#arguments")
    void everyLayerOfEveryConfigRunsInt8(String name, ViTConfig config) throws IOException {
        try (VitModel model = TestModels.create(config, 11); NDManager m = model.newManager();
                CompiledVit fp32 = CompiledVit.compile(model.getBlock(), FP32, model.getModel().getNDManager());
                CompiledVit int8 = CompiledVit.compile(model.getBlock(), INT8, model.getModel().getNDManager())) {
            Map<String, String> kernels = int8.routes().linear();
            assertTrue(Set.of("int8", "int8-rows").containsAll(kernels.values()), kernels.toString());
            int layers = 2 + 4 * config.architecture().depth();
            assertTrue(int8.routes().describeLinear().startsWith("int8, " + layers + " of " + layers + " layers, at "),
                    int8.routes().describeLinear());
            NDArray x = TestModels.images(m, 3, new Shape(4, config.architecture().channels(),
                    config.architecture().imageHeight(), config.architecture().imageWidth()));
            float[] want = fp32.forward(x).get(0).toFloatArray();
            float[] got = int8.forward(x).get(0).toFloatArray();
            double scale = TestModels.maxAbsDiff(want, new float[want.length]);
            double d = TestModels.maxAbsDiff(want, got);
            System.out.printf(Locale.ROOT, "[int8] %-70s max|logit| %.3f max|dlogit| %.2e (%.2f%%)%n", name, scale, d, 100 * d / scale);
            assertTrue(d <= LOGIT_SHARE * scale, name + ": int8 max |dlogit| " + d + " of max |logit| " + scale);
        }
    }

    /**
     * Each int8 route's error per layer on trained weights, and the check's refusal of a weight that
     * is not the stored one.
     */
    @ParameterizedTest(name = "route {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {3, 4})
    void theRoutesErrorOnTrainedWeightsIsWithinTheTolerance(long code) throws IOException {
        try (VitModel model = VitModel.load(BundledModel.files(), Device.cpu()); NDManager m = model.newManager();
                PtSymbolBlock program = VitProgram.archive(model.getConfig(), INT8, false).load((PtNDManager) m)) {
            if (code == 4) {
                try (IValue level = IValueUtils.runMethod(program, "int8_level")) {
                    System.out.printf(Locale.ROOT, "[int8] aten::_int_mm sums exactly at weight level %d%n", level.toLong());
                    assertTrue(level.toLong() == 127 || level.toLong() == 63 || level.toLong() == 0, "level " + level.toLong());
                    org.junit.jupiter.api.Assumptions.assumeTrue(level.toLong() > 0,
                            "aten::_int_mm sums no level exactly on this CPU: int8-rows is refused");
                }
            }
            double worst = 0;
            for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
                if (!e.getKey().endsWith("weight") || e.getKey().contains("norm")) {
                    continue;
                }
                NDArray w = e.getValue().getArray(); // (out, in)
                long k = w.getShape().get(1);
                NDArray check = m.arange(0f, 300f * k).reshape(300, k).mul(0.37f).sin(); // the check's input
                NDArray normal = m.randomNormal(new Shape(300, k));
                for (NDArray x : new NDArray[] {check, normal}) {
                    try (IValue wv = IValue.from((PtNDArray) w); IValue xv = IValue.from((PtNDArray) x);
                            IValue rv = IValue.from(code);
                            IValue err = IValueUtils.runMethod(program, "int8_error", wv, xv, rv)) {
                        worst = Math.max(worst, err.toDouble());
                        assertTrue(err.toDouble() <= TOLERANCE, e.getKey() + ": relative error " + err.toDouble());
                    }
                }
            }
            System.out.printf(Locale.ROOT, "[int8] bundled model, route %d: largest relative error of a layer %.2e%n",
                    code, worst);
            PtNDArray w = (PtNDArray) model.getBlock().namedParameters().get("blocks.0.mlp.fc1.weight").getArray();
            PtNDArray off = (PtNDArray) w.mul(1.1f);
            try (IValue wv = IValue.from(w); IValue ov = IValue.from(off); IValue route = IValue.from(code);
                    IValue stored = IValueUtils.runMethod(program, "store", wv, route);
                    IValue same = IValueUtils.runMethod(program, "agrees", stored, wv, route);
                    IValue differs = IValueUtils.runMethod(program, "agrees", stored, ov, route)) {
                assertTrue(same.toBoolean(), "an int8 weight against its own weight");
                assertFalse(differs.toBoolean(), "an int8 weight against a weight 10 % larger");
            }
            for (String name : VitProgram.linearWeightNames(model.getConfig())) {
                PtNDArray lw = (PtNDArray) model.getBlock().namedParameters().get(name).getArray();
                try (IValue wv = IValue.from(lw); IValue route = IValue.from(code);
                        IValue stored = IValueUtils.runMethod(program, "store", wv, route);
                        IValue same = IValueUtils.runMethod(program, "invariant", stored, wv, route)) {
                    assertTrue(same.toBoolean(), name + ": a row's int8 product changes with the rows around it");
                }
            }
        }
    }

    /** Bit for bit: the same batch twice, and each image alone against its row in batches of 7 and 32. */
    @Test
    void resultsRepeatAndDoNotDependOnTheBatch() throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).setWidth(48).setDepth(2)
                .setHeads(3).optMlpRatio(4).setNumClasses(10).optRegisterTokens(1).build();
        try (VitModel model = TestModels.create(config, 4); NDManager m = model.newManager();
                CompiledVit c = CompiledVit.compile(model.getBlock(), INT8, model.getModel().getNDManager())) {
            NDArray images = TestModels.images(m, 8, new Shape(32, 3, 32, 32));
            NDList first = c.forward(images);
            NDList again = c.forward(images);
            assertArrayEquals(first.get(0).toFloatArray(), again.get(0).toFloatArray(), 0f, "logits of a repeated run");
            assertArrayEquals(first.get(1).toFloatArray(), again.get(1).toFloatArray(), 0f, "pooled of a repeated run");
            for (int b : new int[] {7, 32}) {
                float[] logits = c.forward(images.get("0:{}", b)).get(0).toFloatArray();
                for (int i = 0; i < b; i += 3) {
                    float[] alone = c.forward(images.get("{}:{}", i, i + 1)).get(0).toFloatArray();
                    assertArrayEquals(alone, Arrays.copyOfRange(logits, i * 10, (i + 1) * 10), 0f,
                            "image " + i + " alone vs in a batch of " + b);
                }
            }
        }
    }

    @Test
    void autoNeverPicksInt8() {
        for (Set<String> flags : Set.of(Set.of("avx2", "fma"), Set.of("avx2", "avx512f", "avx512_vnni"),
                Set.of("avx2", "avx_vnni", "amx_int8", "amx_tile"), Set.of("avx512f", "avx512_bf16", "avx512_vnni", "amx_int8"))) {
            CpuFeatures cpu = new CpuFeatures("x", flags);
            for (Device d : new Device[] {Device.cpu(), Device.gpu()}) {
                assertFalse(Precision.AUTO.resolve(d, cpu).precision() == Precision.INT8, flags + " " + d);
            }
        }
        assertEquals(new Precision.Choice(Precision.INT8, "int8 requested"),
                Precision.INT8.resolve(Device.cpu(), new CpuFeatures("x", Set.of())));
        assertEquals(Precision.INT8, Precision.fromName("INT8"));
        assertEquals("int8", Precision.INT8.cliName());
    }

    @Test
    void theEagerBlocksAndTrainingRefuseInt8() throws IOException {
        try (VitModel model = TestModels.create(ConfigCases.base().build(), 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> InferenceForward.of(model, ForwardEngine.EAGER, Precision.INT8));
            assertEquals("precision int8 needs the compiled forward, but the eager blocks run (eager requested)",
                    e.getMessage());
        }
        InvalidOptionException t = assertThrows(InvalidOptionException.class,
                () -> TrainOptions.builder().optPrecision(Precision.INT8).build());
        assertEquals("precision", t.option());
        assertEquals("int8", t.value());
        assertEquals("inference only; training runs in fp32 or bf16", t.reason());
    }
}
