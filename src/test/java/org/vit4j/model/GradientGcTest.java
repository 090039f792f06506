package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vit4j.train.CompiledTrainStep;
import org.vit4j.compiled.Precision;
import org.vit4j.position.PositionEmbeddingKind;

/**
 * Gradients do not depend on when the JVM collects garbage. A backward pass that reads memory
 * borrowed from a Java buffer (a number turned into a tensor by {@code NDArray.mul(Number)}, see
 * {@link Scalars}) gives other gradients once a collection between forward and backward has freed
 * that buffer and its memory was reused: here filled with NaN on purpose. Training showed it as
 * runs of the same seed that differed in the fifth digit or went NaN.
 */
class GradientGcTest {

    @ParameterizedTest
    @EnumSource(PositionEmbeddingKind.class)
    void gradientsAreTheSameWithACollectionBetweenForwardAndBackward(PositionEmbeddingKind kind) throws Exception {
        ViTConfig config = ViTConfig.builder().setImageSize(16, 16).setPatchSize(4).setWidth(16).setDepth(2)
                .setHeads(2).setNumClasses(3).optPosEmb(kind).optDropPath(0.2).optDropout(0.1).build();
        try (VitModel model = TestModels.create(config, 7)) {
            Map<String, float[]> quiet = gradients(model, false);
            Map<String, float[]> collected = gradients(model, true);
            for (Map.Entry<String, float[]> e : quiet.entrySet()) {
                assertTrue(TestModels.allFinite(e.getValue()), e.getKey());
                assertArrayEquals(e.getValue(), collected.get(e.getKey()), 0f, e.getKey());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void rotaryWithALearnedTableAndLayerScaleToo() throws Exception {
        ViTConfig config = ViTConfig.builder().setImageSize(16, 12).setPatchSize(4).setWidth(16).setDepth(2)
                .setHeads(2).setNumClasses(3).optPosEmb("rope-mixed+learned").optLayerScale(0.1).optRegisterTokens(1)
                .optDropPath(0.2).build();
        try (VitModel model = TestModels.create(config, 5)) {
            Map<String, float[]> quiet = gradients(model, false);
            Map<String, float[]> collected = gradients(model, true);
            for (Map.Entry<String, float[]> e : quiet.entrySet()) {
                assertTrue(TestModels.allFinite(e.getValue()), e.getKey());
                assertArrayEquals(e.getValue(), collected.get(e.getKey()), 0f, e.getKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(PositionEmbeddingKind.class)
    void theCompiledStepsGradientsToo(PositionEmbeddingKind kind) throws Exception {
        ViTConfigBuilder b = ViTConfig.builder().setImageSize(16, 12).setPatchSize(4).setWidth(16).setDepth(2)
                .setHeads(2).setNumClasses(3).optDropPath(0.2).optDropout(0.1).optLayerScale(0.1).optRegisterTokens(1);
        ViTConfig config = (kind.isRope() ? b.optPosEmb(kind.cliName() + "+learned") : b.optPosEmb(kind)).build();
        try (VitModel model = TestModels.create(config, 7);
                CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(),
                        new Precision.Choice(Precision.FP32, "test"), model.getModel().getNDManager())) {
            Map<String, float[]> quiet = gradients(model, false, step);
            Map<String, float[]> collected = gradients(model, true, step);
            for (Map.Entry<String, float[]> e : quiet.entrySet()) {
                assertTrue(TestModels.allFinite(e.getValue()), e.getKey());
                assertArrayEquals(e.getValue(), collected.get(e.getKey()), 0f, e.getKey());
            }
        }
    }

    private static Map<String, float[]> gradients(VitModel model, boolean collectInBetween) {
        return gradients(model, collectInBetween, null);
    }

    /**
     * One forward/backward in training mode (dropout, drop path) with a fixed engine seed, by the
     * eager blocks or a compiled step; the loss is the mean of -log p(class 0).
     */
    private static Map<String, float[]> gradients(VitModel model, boolean collectInBetween, CompiledTrainStep step) {
        Engine engine = Engine.getEngine("PyTorch");
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = model.newManager()) {
            engine.setRandomSeed(11);
            NDArray x = TestModels.images(m, 3, VitModel.inputShape(model.getConfig(), 4));
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDArray loss;
                if (step == null) {
                    NDArray logits = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), true).get(0);
                    loss = logits.logSoftmax(1).get(":, 0").neg().mean();
                } else {
                    NDArray classZero = m.zeros(new Shape(4, model.getConfig().architecture().numClasses()));
                    classZero.set(new ai.djl.ndarray.index.NDIndex(":, 0"), 1f);
                    loss = step.loss(x, classZero).get(0);
                }
                if (collectInBetween) {
                    collectAndPoison();
                }
                gc.backward(loss);
            }
            for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
                NDArray w = e.getValue().getArray();
                out.put(e.getKey(), w.getGradient().toFloatArray());
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) w);
            }
        }
        return out;
    }

    /** Frees unreachable direct buffers, then reuses freed native memory with NaN-filled buffers. */
    private static void collectAndPoison() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(20); // the cleaner thread frees the buffers' memory
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ByteBuffer> keep = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 << (i % 4)).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 4) {
                b.putFloat(Float.NaN);
            }
            keep.add(b);
        }
        keep.clear();
    }
}
