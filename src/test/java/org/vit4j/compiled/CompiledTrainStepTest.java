package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * The compiled training step computes the eager blocks' loss and gradients: in fp32 the first
 * step's loss and every parameter's gradient agree to 1e-5 for every architecture option, at the
 * configured and at another (non-square) input size, where a learned table is resampled without
 * gradient as in the eager blocks; the
 * parameter list covers every parameter; repeated steps are bit-identical, with dropout and
 * stochastic depth too (the generator seeded); bf16 is finite, close to fp32 and repeatable.
 */
class CompiledTrainStepTest {

    private static final double TOLERANCE = 1e-5;
    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");
    private static final Precision.Choice BF16 = new Precision.Choice(Precision.BF16, "test");

    /** 32x32 RGB, 8 px patches: a 4x4 grid; head width 8. */
    private static ViTConfig.Builder base() {
        return ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(32).setDepth(2).setHeads(4).optMlpRatio(2).setNumClasses(5);
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("cls, learned", base().build()),
                Arguments.of("avg, learned, fc-norm", base().optPooling(Pooling.AVG).optFcNorm(true).build()),
                Arguments.of("cls, 2 registers, sincos2d-mae", base().optRegisterTokens(2)
                        .optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE).build()),
                Arguments.of("avg, no class token, 3 registers, sincos2d-bigvision, no qkv bias", base()
                        .optPooling(Pooling.AVG).optClassToken(false).optRegisterTokens(3).optQkvBias(false)
                        .optPosEmb(PositionEmbeddingKind.SINCOS2D_BIGVISION).build()),
                Arguments.of("avg, no class token, none", base().optPooling(Pooling.AVG).optClassToken(false)
                        .optPosEmb(PositionEmbeddingKind.NONE).build()),
                Arguments.of("cls, sincos1d", base().optPosEmb(PositionEmbeddingKind.SINCOS1D).build()),
                Arguments.of("cls, sincos2d-mae interleaved, eps 1e-12", base()
                        .optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE).optPosEmbLayout(SinCosLayout.INTERLEAVED)
                        .optLayerNormEps(1e-12).build()),
                Arguments.of("cls, LayerScale", base().optLayerScale(0.1).build()),
                Arguments.of("cls, qkv bias without key bias (Eva)", base().optKeyBias(false).build()),
                Arguments.of("cls, rope-axial", base().optPosEmb(PositionEmbeddingKind.NONE)
                        .optRope(PositionEmbeddingKind.ROPE_AXIAL).build()),
                Arguments.of("avg, no class token, rope-axial half", base().optPooling(Pooling.AVG)
                        .optClassToken(false).optPosEmb(PositionEmbeddingKind.NONE)
                        .optRope(PositionEmbeddingKind.ROPE_AXIAL).optRopeLayout(RopeLayout.HALF).build()),
                Arguments.of("cls, 1 register, rope-dinov3 half, LayerScale", base().optRegisterTokens(1)
                        .optPosEmb(PositionEmbeddingKind.NONE).optRope(PositionEmbeddingKind.ROPE_DINOV3)
                        .optRopeLayout(RopeLayout.HALF).optLayerScale(0.1).build()),
                Arguments.of("cls, rope-mixed", base().optPosEmb(PositionEmbeddingKind.NONE)
                        .optRope(PositionEmbeddingKind.ROPE_MIXED).build()),
                Arguments.of("cls, 2 registers, rope-mixed half + learned", base().optRegisterTokens(2)
                        .optRope(PositionEmbeddingKind.ROPE_MIXED).optRopeLayout(RopeLayout.HALF).build()),
                Arguments.of("avg, rope-axial + sincos2d-mae, fc-norm", base().optPooling(Pooling.AVG).optFcNorm(true)
                        .optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE).optRope(PositionEmbeddingKind.ROPE_AXIAL).build()),
                Arguments.of("grey 24x40, 4 px patches, 1 block", ViTConfig.builder().setImageSize(24, 40)
                        .setPatchSize(4).optChannels(1).setWidth(24).setDepth(1).setHeads(2).setNumClasses(3)
                        .optRegisterTokens(1).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void firstStepLossAndEveryGradientAgreeWithTheEagerBlocks(String name, ViTConfig config) throws IOException {
        assertNull(CompiledTrainStep.unsupported(config));
        try (VitModel model = TestModels.create(config, 7);
                CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(), FP32,
                        model.getModel().getNDManager())) {
            Map<String, Parameter> params = model.getBlock().namedParameters();
            assertEquals(params.keySet(), step.names().stream().filter(Objects::nonNull)
                    .collect(java.util.stream.Collectors.toSet()), "the program takes every parameter");
            int ph = config.getPatchSize();
            for (Shape s : List.of(imageShape(config), new Shape(3, config.getChannels(),
                    config.getImageHeight() + 2 * ph, config.getImageWidth() - ph))) { // another grid, not square
                boolean trained = s.equals(imageShape(config));
                float[] eagerLoss = new float[1];
                Map<String, float[]> eager = gradients(model, m -> {
                    NDArray logits = model.getBlock().forward(new ParameterStore(m, false),
                            new NDList(TestModels.images(m, 11, s)), true).get(0);
                    NDArray l = logits.logSoftmax(1).mul(targets(m, config)).sum(new int[] {1}).neg().mean();
                    eagerLoss[0] = l.getFloat();
                    return l;
                });
                float[] compiledLoss = new float[1];
                Map<String, float[]> compiled = gradients(model, m -> {
                    NDArray l = step.loss(TestModels.images(m, 11, s), targets(m, config)).get(0);
                    compiledLoss[0] = l.getFloat();
                    return l;
                });
                String what = name + " " + s;
                assertTrue(Math.abs(eagerLoss[0] - compiledLoss[0]) <= TOLERANCE,
                        what + ": loss " + eagerLoss[0] + " eager vs " + compiledLoss[0] + " compiled");
                for (String p : params.keySet()) {
                    double diff = TestModels.maxAbsDiff(eager.get(p), compiled.get(p));
                    assertTrue(diff <= TOLERANCE, what + ": gradient of " + p + " differs by " + diff);
                    boolean none = p.equals("pos_embed.table") && !trained; // resampled without gradient, as eager
                    assertEquals(!none, TestModels.maxAbsDiff(new float[eager.get(p).length], compiled.get(p)) > 0,
                            what + ": whether " + p + " gets a gradient");
                }
            }
        }
    }

    private interface Loss {
        NDArray apply(NDManager m);
    }

    /** Runs one forward and backward in a batch manager; returns every parameter's gradient and zeroes it. */
    private static Map<String, float[]> gradients(VitModel model, Loss loss) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = model.newManager();
                GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            gc.backward(loss.apply(m));
        }
        for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
            NDArray w = e.getValue().getArray();
            out.put(e.getKey(), w.getGradient().toFloatArray());
            JniUtils.zeroGrad((PtNDArray) w);
        }
        return out;
    }

    private static Shape imageShape(ViTConfig c) {
        return new Shape(3, c.getChannels(), c.getImageHeight(), c.getImageWidth());
    }

    private static NDArray images(NDManager m, ViTConfig c) {
        return TestModels.images(m, 11, imageShape(c));
    }

    /** Label-smoothed (0.1) one-hot rows of labels 0, 1, 2. */
    private static NDArray targets(NDManager m, ViTConfig c) {
        int k = c.getNumClasses();
        float[] t = new float[3 * k];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < k; j++) {
                t[i * k + j] = 0.1f / k + (j == i % k ? 0.9f : 0f);
            }
        }
        return m.create(t, new Shape(3, k));
    }

    @Test
    void dropoutAndStochasticDepthAreRepeatableFromTheSeed() throws IOException {
        ViTConfig config = base().optDropout(0.2).optDropPath(0.3).optRope(PositionEmbeddingKind.ROPE_MIXED).build();
        ViTConfig plain = base().optRope(PositionEmbeddingKind.ROPE_MIXED).build();
        try (VitModel model = TestModels.create(config, 7);
                VitModel same = TestModels.create(plain, 7);
                CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(), FP32,
                        model.getModel().getNDManager());
                CompiledTrainStep noDrop = CompiledTrainStep.compile(same.getBlock(), FP32,
                        same.getModel().getNDManager())) {
            Engine engine = Engine.getEngine("PyTorch");
            float[][] loss = new float[4][];
            Map<String, float[]> first = null;
            for (int run = 0; run < 3; run++) {
                engine.setRandomSeed(run == 2 ? 6 : 5);
                int r = run;
                Map<String, float[]> g = gradients(model, m -> {
                    NDArray l = step.loss(images(m, config), targets(m, config)).get(0);
                    loss[r] = l.toFloatArray();
                    return l;
                });
                if (run == 0) {
                    first = g;
                } else if (run == 1) {
                    for (String p : first.keySet()) {
                        assertArrayEquals(first.get(p), g.get(p), "gradient of " + p + " with the same seed");
                    }
                }
            }
            gradients(same, m -> {
                NDArray l = noDrop.loss(images(m, config), targets(m, config)).get(0);
                loss[3] = l.toFloatArray();
                return l;
            });
            assertArrayEquals(loss[0], loss[1], "same seed, same masks");
            assertNotEquals(loss[0][0], loss[2][0], "another seed, other masks");
            assertNotEquals(loss[0][0], loss[3][0], "dropout changes the loss");
        }
    }

    @Test
    void bf16IsFiniteCloseToFp32AndRepeatable() throws IOException {
        ViTConfig config = base().optRope(PositionEmbeddingKind.ROPE_AXIAL).optLayerScale(0.1).build();
        try (VitModel model = TestModels.create(config, 7);
                CompiledTrainStep fp32 = CompiledTrainStep.compile(model.getBlock(), FP32,
                        model.getModel().getNDManager());
                CompiledTrainStep bf16 = CompiledTrainStep.compile(model.getBlock(), BF16,
                        model.getModel().getNDManager())) {
            float[] l32 = new float[1];
            Map<String, float[]> g32 = gradients(model, m -> {
                NDArray l = fp32.loss(images(m, config), targets(m, config)).get(0);
                l32[0] = l.getFloat();
                return l;
            });
            float[][] l16 = new float[2][1];
            Map<String, float[]> first = null;
            for (int run = 0; run < 2; run++) {
                int r = run;
                Map<String, float[]> g = gradients(model, m -> {
                    NDList out = bf16.loss(images(m, config), targets(m, config));
                    assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, out.get(1).getDataType());
                    l16[r][0] = out.get(0).getFloat();
                    return out.get(0);
                });
                for (Map.Entry<String, float[]> e : g.entrySet()) {
                    assertTrue(TestModels.allFinite(e.getValue()), "bf16 gradient of " + e.getKey());
                    if (first != null) {
                        assertArrayEquals(first.get(e.getKey()), e.getValue(), "bf16 rerun, " + e.getKey());
                    }
                }
                first = g;
            }
            assertEquals(l16[0][0], l16[1][0], "bf16 rerun loss");
            assertTrue(Math.abs(l16[0][0] - l32[0]) < 0.05 * Math.abs(l32[0]),
                    "bf16 loss " + l16[0][0] + " vs fp32 " + l32[0]);
            double worst = 0;
            double scale = 0;
            for (String p : g32.keySet()) {
                worst = Math.max(worst, TestModels.maxAbsDiff(g32.get(p), first.get(p)));
                scale = Math.max(scale, TestModels.maxAbsDiff(g32.get(p), new float[g32.get(p).length]));
            }
            assertTrue(worst < 0.1 * scale, "bf16 gradients differ by " + worst + " (largest fp32 gradient " + scale + ")");
        }
    }

    @Test
    void refusesImagesThatAreNotPatchMultiplesAndAutoPrecision() throws IOException {
        ViTConfig config = base().build();
        try (VitModel model = TestModels.create(config, 7);
                CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(), FP32,
                        model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> step.loss(m.zeros(new Shape(2, 3, 36, 32)), m.zeros(new Shape(2, 5))));
            assertTrue(e.getMessage().contains("multiples of 8") && e.getMessage().contains("(2, 3, 36, 32)"),
                    e.getMessage());
            IllegalArgumentException auto = assertThrows(IllegalArgumentException.class,
                    () -> CompiledTrainStep.compile(model.getBlock(), new Precision.Choice(Precision.AUTO, "x"),
                            model.getModel().getNDManager()));
            assertTrue(auto.getMessage().contains("auto"), auto.getMessage());
        }
    }
}
