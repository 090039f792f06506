package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.compiled.CompiledVit;
import org.vit4j.compiled.Precision;
import org.vit4j.model.Architecture;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * The program's two routes compute one network: for every case of {@code ConfigCases}, the
 * inference forward ({@link CompiledVit}: weights prepared and packed once at load, fused
 * epilogues) and the training forward ({@link CompiledTrainStep#loss}: the weights prepared inside
 * the step, differentiable operators) give the same logits in fp32 to 1e-5, dropout off, at the
 * configured input size and at another, non-square grid.
 */
class InferenceTrainingParityTest {

    private static final double TOLERANCE = 1e-5;
    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vit4j.model.TestModels#architectures")
    void inferenceAndTrainingForwardGiveTheSameLogits(String name, ViTConfig config) throws IOException {
        config = CompiledTrainStepTest.withoutDropout(config);
        Architecture a = config.architecture();
        int p = a.patchSize();
        try (VitModel model = TestModels.create(config, 7);
                CompiledVit inference = CompiledVit.compile(model.getBlock(), FP32, model.getModel().getNDManager());
                CompiledTrainStep training = CompiledTrainStep.compile(model.getBlock(), FP32,
                        model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            for (Shape s : List.of(new Shape(2, a.channels(), a.imageHeight(), a.imageWidth()),
                    new Shape(3, a.channels(), a.imageHeight() + 2 * p, a.imageWidth() + p))) {
                NDArray x = TestModels.images(m, 11, s);
                NDArray target = m.ones(new Shape(s.get(0), a.numClasses())).div(a.numClasses());
                float[] served = inference.forward(x).get(0).toFloatArray();
                float[] trained = training.loss(x, target).get(1).stopGradient().toFloatArray();
                assertEquals(served.length, trained.length, name + " " + s);
                double scale = TestModels.maxAbsDiff(served, new float[served.length]);
                assertTrue(scale > 0.1, name + " " + s + ": the logits are trivial, max |x| = " + scale);
                double diff = TestModels.maxAbsDiff(served, trained);
                assertTrue(diff <= TOLERANCE, name + " " + s + ": max |inference - training| logit = " + diff);
            }
        }
    }
}
