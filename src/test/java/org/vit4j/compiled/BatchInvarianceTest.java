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
 * in a batch of 7 and of 32. With the oneDNN kernel they are bit-identical (measured on AVX2, where
 * {@code brgemm:avx2} reduces each row in the same order whatever the row count; asserted exactly
 * there, to 1e-6 on other CPUs, whose kernels were not measured). With {@code aten::linear} the
 * logits may differ in the last bit (1.2e-7 measured): MKL multiplies a single row (the head at
 * batch 1) with another kernel than several rows, which sums in another order.
 */
class BatchInvarianceTest {

    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");

    @ParameterizedTest
    @EnumSource(value = LinearKernel.class, names = {"ONEDNN", "ATEN", "MKL", "AUTO"})
    void eachImageAloneEqualsItsRowInABatch(LinearKernel kernel) throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).setWidth(48).setDepth(2)
                .setHeads(3).optMlpRatio(4).setNumClasses(10).optRegisterTokens(1).build();
        try (VitModel model = TestModels.create(config, 4);
                CompiledVit c = CompiledVit.compile(model.getBlock(), FP32, new LinearKernel.Choice(kernel, "test"),
                        model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            NDArray images = TestModels.images(m, 8, new Shape(32, 3, 32, 32));
            boolean exact = kernel == LinearKernel.ONEDNN && !CpuFeatures.current().flags().contains("avx512f")
                    && !c.routes().linear().containsValue("aten");
            double tolerance = exact ? 0 : 1e-6;
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
                    assertTrue(Math.max(dl, dp) <= tolerance, kernel + ": image " + i + " alone vs in a batch of " + b
                            + ": logits differ by " + dl + ", pooled by " + dp);
                }
            }
        }
    }
}
