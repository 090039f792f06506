package org.vit4j.train;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.compiled.Precision;
import org.vit4j.model.Architecture;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.VitModel;
import org.vit4j.position.PositionEmbeddingKind;

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
    private static ViTConfigBuilder base() {
        return TestModels.smallBuilder();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vit4j.model.TestModels#architectures")
    void firstStepLossAndEveryGradientAgreeWithTheEagerBlocks(String name, ViTConfig given) throws IOException {
        ViTConfig config = withoutDropout(given);
        assertNull(CompiledTrainStep.unsupported(config));
        try (VitModel model = TestModels.create(config, 7);
                CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(), FP32,
                        model.getModel().getNDManager())) {
            Map<String, Parameter> params = model.getBlock().namedParameters();
            assertEquals(params.keySet(), step.names().stream().filter(Objects::nonNull)
                    .collect(java.util.stream.Collectors.toSet()), "the program takes every parameter");
            Architecture a = config.architecture();
            int ph = a.patchSize();
            for (Shape s : List.of(imageShape(config), new Shape(3, a.channels(),
                    a.imageHeight() + 2 * ph, a.imageWidth() - ph))) { // another grid, not square
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

    /** The config without dropout and stochastic depth, whose masks are not the eager blocks' (tested below). */
    static ViTConfig withoutDropout(ViTConfig config) {
        return config.toBuilder().optDropout(0).optDropPath(0).build();
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
        Architecture a = c.architecture();
        return new Shape(3, a.channels(), a.imageHeight(), a.imageWidth());
    }

    private static NDArray images(NDManager m, ViTConfig c) {
        return TestModels.images(m, 11, imageShape(c));
    }

    /** Label-smoothed (0.1) one-hot rows of labels 0, 1, 2. */
    private static NDArray targets(NDManager m, ViTConfig c) {
        int k = c.architecture().numClasses();
        float[] t = new float[3 * k];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < k; j++) {
                t[i * k + j] = 0.1f / k + (j == i % k ? 0.9f : 0f);
            }
        }
        return m.create(t, new Shape(3, k));
    }

    /**
     * The one-call step: its gradients (libtorch's autograd inside the program) are the eager
     * blocks' within 1e-5, and its update (global-norm clipping, then AdamW by libtorch's {@code
     * _foreach} operators) is AdamW's formula computed here in double from those gradients, within
     * 1e-6: two steps, the first clipped to a small norm, the second unclipped, weight decay on.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vit4j.model.TestModels#architectures")
    void oneCallStepIsTheEagerGradientAndAdamWsUpdate(String name, ViTConfig given) throws IOException {
        ViTConfig config = withoutDropout(given);
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double decay = 0.05;
        try (VitModel model = TestModels.create(config, 7);
                CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(), FP32,
                        model.getModel().getNDManager())) {
            Map<String, Parameter> params = model.getBlock().namedParameters();
            AdamW opt = new AdamW(params, model.getModel().getNDManager(), decay);
            double[] clips = {1e-3, 0};
            for (int k = 0; k < clips.length; k++) {
                Map<String, float[]> eager = gradients(model, m -> model.getBlock()
                        .forward(new ParameterStore(m, false), new NDList(images(m, config)), true).get(0)
                        .logSoftmax(1).mul(targets(m, config)).sum(new int[] {1}).neg().mean());
                Map<String, float[]> g = new LinkedHashMap<>();
                Map<String, float[][]> before = new LinkedHashMap<>();
                try (NDManager m = model.newManager()) {
                    NDList out = step.gradients(images(m, config), targets(m, config));
                    for (int i = 0; i < step.names().size(); i++) {
                        String p = step.names().get(i);
                        if (p != null) {
                            g.put(p, out.get(2 + i).toFloatArray());
                        }
                    }
                }
                double sq = 0;
                for (String p : params.keySet()) {
                    double diff = TestModels.maxAbsDiff(eager.get(p), g.get(p));
                    assertTrue(diff <= TOLERANCE, name + ": program's gradient of " + p + " differs by " + diff);
                    for (float x : g.get(p)) {
                        sq += (double) x * x;
                    }
                    before.put(p, new float[][] {params.get(p).getArray().toFloatArray(),
                        opt.moments(p)[0].toFloatArray(), opt.moments(p)[1].toFloatArray()});
                }
                double norm = Math.sqrt(sq);
                double lr = 1e-2 * (k + 1);
                CompiledTrainStep.StepResult r;
                try (NDManager m = model.newManager()) {
                    r = step.step(images(m, config), targets(m, config), opt, lr, clips[k]);
                }
                assertTrue(r.finite(), name + ": step " + k);
                assertEquals(3, r.predictions().length);
                assertEquals(norm, r.gradientNorm(), 1e-5 * Math.max(1, norm), name + ": gradient norm");
                double scale = clips[k] > 0 && norm > clips[k] ? clips[k] / norm : 1;
                long t = k + 1;
                for (String p : params.keySet()) {
                    float[][] b = before.get(p);
                    float[] got = params.get(p).getArray().toFloatArray();
                    boolean decays = AdamW.decays(p, params.get(p).getArray());
                    double worst = 0;
                    for (int i = 0; i < got.length; i++) {
                        double gi = g.get(p)[i] * scale;
                        double mi = beta1 * b[1][i] + (1 - beta1) * gi;
                        double vi = beta2 * b[2][i] + (1 - beta2) * gi * gi;
                        double update = mi / (1 - Math.pow(beta1, t)) / (Math.sqrt(vi / (1 - Math.pow(beta2, t))) + eps)
                                + (decays ? decay * b[0][i] : 0);
                        worst = Math.max(worst, Math.abs(b[0][i] - lr * update - got[i]));
                    }
                    assertTrue(worst <= 1e-6, name + ": " + p + " after step " + k + " differs by " + worst);
                }
            }
            assertEquals(2, opt.steps());
        }
    }

    /**
     * A batch computed in parts at once is the whole batch's step: the same loss, predictions,
     * gradient norm and gradients (AdamW's first moment after one unclipped step is 0.1 g) within
     * float rounding, with parts of unequal size (3 images in 2 parts) and more parts than images
     * (4 parts: one per image); and a sharded step repeated from the same start is bit-identical.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vit4j.model.TestModels#architectures")
    void aShardedStepIsTheWholeBatchsStepAndRepeatable(String name, ViTConfig given) throws IOException {
        ViTConfig config = withoutDropout(given); // sharding refuses dropout
        Map<String, float[]> wholeMoments = new LinkedHashMap<>();
        CompiledTrainStep.StepResult whole = null;
        float[][] sharded = new float[2][];
        for (int shards : new int[] {1, 2, 4, 2}) {
            try (VitModel model = TestModels.create(config, 7);
                    CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(), FP32, shards,
                            model.getModel().getNDManager())) {
                assertEquals(shards, step.getShards());
                Map<String, Parameter> params = model.getBlock().namedParameters();
                AdamW opt = new AdamW(params, model.getModel().getNDManager(), 0.05);
                CompiledTrainStep.StepResult r;
                try (NDManager m = model.newManager()) {
                    r = step.step(images(m, config), targets(m, config), opt, 1e-3, 0);
                }
                assertTrue(r.finite(), name + ", " + shards + " shards");
                if (shards == 1) {
                    whole = r;
                    params.keySet().forEach(p -> wholeMoments.put(p, opt.moments(p)[0].toFloatArray()));
                    continue;
                }
                assertEquals(whole.loss(), r.loss(), TOLERANCE, name + ", " + shards + " shards: loss");
                assertArrayEquals(whole.predictions(), r.predictions(), name + ", " + shards + " shards: predictions");
                assertEquals(whole.gradientNorm(), r.gradientNorm(), TOLERANCE * Math.max(1, whole.gradientNorm()),
                        name + ", " + shards + " shards: gradient norm");
                for (String p : params.keySet()) {
                    double diff = TestModels.maxAbsDiff(wholeMoments.get(p), opt.moments(p)[0].toFloatArray());
                    assertTrue(diff <= 0.1 * TOLERANCE, name + ", " + shards + " shards: gradient of " + p
                            + " differs by " + diff / 0.1);
                }
                if (shards == 2) {
                    try (NDManager m = model.newManager()) {
                        step.step(images(m, config), targets(m, config), opt, 1e-3, 1.0);
                    }
                    sharded[sharded[0] == null ? 0 : 1] = params.get(params.keySet().iterator().next()).getArray()
                            .toFloatArray();
                }
            }
        }
        assertArrayEquals(sharded[0], sharded[1], name + ": two sharded steps repeated from the same start");
    }

    @Test
    void shardsOnlyModelsWithoutRandomMasksOnACpu() throws IOException {
        ViTConfig stochastic = base().optDropPath(0.1).build();
        assertEquals(1, CompiledTrainStep.shards(stochastic, ai.djl.Device.cpu()));
        assertEquals(1, CompiledTrainStep.shards(base().optDropout(0.1).build(), ai.djl.Device.cpu()));
        assertEquals(1, CompiledTrainStep.shards(base().build(), ai.djl.Device.gpu()));
        int plain = CompiledTrainStep.shards(base().build(), ai.djl.Device.cpu());
        assertEquals(Math.min(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads() + 1), plain);
        try (VitModel model = TestModels.create(stochastic, 7)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompiledTrainStep
                    .compile(model.getBlock(), FP32, 2, model.getModel().getNDManager()));
            assertTrue(e.getMessage().contains("dropout or stochastic depth trains unsharded"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> CompiledTrainStep
                    .compile(model.getBlock(), FP32, 0, model.getModel().getNDManager()));
            assertEquals("shards must be at least 1, got 0", e.getMessage());
        }
    }

    @Test
    void aNonFiniteLossChangesNothingAndARepeatedStepIsBitIdentical() throws IOException {
        ViTConfig config = base().optRope(PositionEmbeddingKind.ROPE_MIXED).optLayerScale(0.1).build();
        float[][] after = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (VitModel model = TestModels.create(config, 7);
                    CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(), FP32,
                            model.getModel().getNDManager())) {
                AdamW opt = new AdamW(model.getBlock().namedParameters(), model.getModel().getNDManager(), 0.05);
                Map<String, Parameter> params = model.getBlock().namedParameters();
                Map<String, float[]> before = new LinkedHashMap<>();
                params.forEach((k, v) -> before.put(k, v.getArray().toFloatArray()));
                try (NDManager m = model.newManager()) {
                    NDArray bad = images(m, config);
                    bad.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0, 0"), Float.NaN);
                    CompiledTrainStep.StepResult r = step.step(bad, targets(m, config), opt, 1e-2, 1.0);
                    assertTrue(!r.finite(), "a NaN pixel: loss " + r.loss() + ", norm " + r.gradientNorm());
                }
                params.forEach((k, v) -> assertArrayEquals(before.get(k), v.getArray().toFloatArray(),
                        k + " changed by a non-finite step"));
                params.forEach((k, v) -> assertEquals(0, TestModels.maxAbsDiff(opt.moments(k)[0].toFloatArray(),
                        new float[before.get(k).length]), k + "'s moment changed by a non-finite step"));
                try (NDManager m = model.newManager()) {
                    for (int k = 0; k < 3; k++) {
                        step.step(images(m, config), targets(m, config), opt, 1e-2, 1.0);
                    }
                }
                after[run] = model.getBlock().namedParameters().get("blocks.1.attn.qkv.weight").getArray().toFloatArray();
            }
        }
        assertArrayEquals(after[0], after[1], "three steps repeated from the same start");
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
