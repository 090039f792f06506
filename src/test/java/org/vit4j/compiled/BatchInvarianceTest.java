package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * Batching does not change a result: every image's logits and pooled embedding alone equal its row
 * in a batch of 7 and of 32, with either linear kernel.
 */
class BatchInvarianceTest {

    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");

    @ParameterizedTest
    @EnumSource(value = LinearKernel.class, names = {"ONEDNN", "ATEN"})
    void eachImageAloneEqualsItsRowInABatch(LinearKernel kernel) throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).setWidth(48).setDepth(2)
                .setHeads(3).optMlpRatio(4).setNumClasses(10).optRegisterTokens(1).build();
        try (VitModel model = TestModels.create(config, 4);
                CompiledVit c = CompiledVit.compile(model.getBlock(), FP32, new LinearKernel.Choice(kernel, "test"),
                        model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            NDArray images = TestModels.images(m, 8, new Shape(32, 3, 32, 32));
            for (int b : new int[] {7, 32}) {
                NDArray batch = images.get("0:{}", b);
                float[] logits = c.forward(batch).get(0).toFloatArray();
                float[] pooled = c.pooled(batch).toFloatArray();
                for (int i = 0; i < b; i += 3) {
                    NDArray one = images.get("{}:{}", i, i + 1);
                    float[] l = c.forward(one).get(0).toFloatArray();
                    float[] p = c.pooled(one).toFloatArray();
                    double dl = TestModels.maxAbsDiff(l, Arrays.copyOfRange(logits, i * 10, (i + 1) * 10));
                    double dp = TestModels.maxAbsDiff(p, Arrays.copyOfRange(pooled, i * 48, (i + 1) * 48));
                    System.out.printf("%s batch %d image %d: logits %.3e pooled %.3e%n", kernel, b, i, dl, dp);
                    assertTrue(dl == 0 && dp == 0, kernel + ": image " + i + " alone vs in a batch of " + b
                            + ": logits differ by " + dl + ", pooled by " + dp);
                }
            }
        }
    }
}
