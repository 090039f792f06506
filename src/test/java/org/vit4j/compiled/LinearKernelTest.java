package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * The linear kernels: fp32 {@code auto} is measured, bf16 {@code auto} follows CPU features; every
 * linear route (and each attention route) gives the eager blocks' logits to 1e-5 in fp32 for widths, MLP sizes and class counts that are and are not multiples of
 * 16 and 64 (packed oneDNN layouts are blocked by 8, 16, 24, 48 or 64 out-features, and some
 * AVX-512 CPUs multiply wrongly with a packed weight whose out-features are 48, 96, 100, 1000 or
 * 1008); the load-time check of a packed weight can fail; each layer's kernel is reported.
 */
class LinearKernelTest {

    private static final double TOLERANCE = 1e-5;
    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");
    private static final CpuFeatures ZEN3 = new CpuFeatures("AMD EPYC 7B13", Set.of("avx2", "fma"));
    private static final CpuFeatures ZEN4 = new CpuFeatures("AMD EPYC 9B14",
            Set.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"));
    private static final CpuFeatures OLD = new CpuFeatures("x", Set.of("sse4_2"));

    @TempDir
    Path cache;

    @Test
    void autoIsMeasuredInFp32AndFollowsCpuFeaturesInBf16() {
        LinearKernel.Choice measured = new LinearKernel.Choice(LinearKernel.AUTO, "auto: fp32, measured per weight shape");
        assertEquals(measured, LinearKernel.AUTO.resolve(Precision.FP32, ZEN3));
        assertEquals(measured, LinearKernel.AUTO.resolve(Precision.FP32, OLD)); // never by vendor or flags in fp32
        assertEquals(LinearKernel.ATEN, LinearKernel.AUTO.resolve(Precision.BF16, ZEN3).kernel());
        assertEquals(LinearKernel.ONEDNN, LinearKernel.AUTO.resolve(Precision.BF16, ZEN4).kernel());
        assertEquals(LinearKernel.ATEN, LinearKernel.ATEN.resolve(Precision.FP32, ZEN4).kernel());
        assertEquals(LinearKernel.ONEDNN, LinearKernel.ONEDNN.resolve(Precision.FP32, OLD).kernel());
        assertEquals(LinearKernel.MKL, LinearKernel.MKL.resolve(Precision.FP32, ZEN4).kernel());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearKernel.ONEDNN.resolve(Precision.BF16, ZEN3));
        assertTrue(e.getMessage().startsWith("linear kernel onednn in bf16 needs a CPU with avx512bw"), e.getMessage());
        assertEquals("linear kernel mkl is fp32 only (MKL's packed sgemm); bf16 takes onednn or aten",
                assertThrows(IllegalArgumentException.class, () -> LinearKernel.MKL.resolve(Precision.BF16, ZEN4)).getMessage());
        assertEquals(LinearKernel.ONEDNN, LinearKernel.fromName("oneDNN"));
        assertEquals(LinearKernel.MKL, LinearKernel.fromName("mkl"));
        assertEquals("unknown linear kernel 'blas'; valid: onednn, aten, mkl, auto",
                assertThrows(IllegalArgumentException.class, () -> LinearKernel.fromName("blas")).getMessage());
        assertEquals(2, LinearKernel.MKL.route());
        assertEquals(List.of(0, 1), List.of(AttentionKernel.FLASH.route(), AttentionKernel.MATMUL.route()));
    }

    /** Every linear route, and each attention route, at the batch MKL packs for (3) and at another (2). */
    @ParameterizedTest(name = "width {0}, MLP ratio {1}, {2} classes")
    @CsvSource({"16, 3, 10", "24, 2, 1000", "48, 2, 100", "64, 1.5, 1008", "96, 1, 48", "100, 1, 16", "32, 4, 1024"})
    void everyKernelAgreesWithTheEagerBlocks(int width, double mlpRatio, int classes) throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(width).setDepth(2).setHeads(width % 3 == 0 ? 3 : 4).optMlpRatio(mlpRatio)
                .setNumClasses(classes).optRegisterTokens(1).build();
        try (VitModel model = TestModels.create(config, 5); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 9, new Shape(3, 3, 32, 32));
            NDList eager = model.forward(x);
            NDArray x2 = TestModels.images(m, 4, new Shape(2, 3, 32, 32));
            NDList eager2 = model.forward(x2);
            LinearKernel[] linear = {LinearKernel.ONEDNN, LinearKernel.ATEN, LinearKernel.MKL, LinearKernel.MKL, LinearKernel.AUTO};
            AttentionKernel[] attention = {AttentionKernel.FLASH, AttentionKernel.MATMUL, AttentionKernel.FLASH,
                AttentionKernel.MATMUL, AttentionKernel.AUTO};
            for (int i = 0; i < linear.length; i++) {
                LinearKernel k = linear[i];
                KernelOptions options = KernelOptions.builder().optLinear(new LinearKernel.Choice(k, "test"))
                        .optAttention(attention[i]).optBatch(3).optCacheDirectory(cache).build();
                try (CompiledVit c = CompiledVit.compile(model.getBlock(), FP32, options, model.getModel().getNDManager())) {
                    if (attention[i] != AttentionKernel.AUTO) {
                        assertEquals(attention[i].cliName(), c.routes().attention());
                    }
                    NDList other = c.forward(x2);
                    double d2 = TestModels.maxAbsDiff(eager2.get(0).toFloatArray(), other.get(0).toFloatArray());
                    assertTrue(d2 <= TOLERANCE, k + ", batch 2: max |eager - compiled| logits = " + d2);
                    NDList fast = c.forward(x);
                    double d = TestModels.maxAbsDiff(eager.get(0).toFloatArray(), fast.get(0).toFloatArray());
                    assertTrue(d <= TOLERANCE, k + ": max |eager - compiled| logits = " + d);
                    d = TestModels.maxAbsDiff(eager.get(1).toFloatArray(), fast.get(1).toFloatArray());
                    assertTrue(d <= TOLERANCE, k + ": max |eager - compiled| pooled = " + d);
                    Map<String, String> kernels = c.routes().linear();
                    assertEquals(1 + 2 * 4 + 1, kernels.size(), kernels.toString()); // patch, 4 per block, head
                    if (k == LinearKernel.ATEN) {
                        assertEquals(Set.of("aten"), Set.copyOf(kernels.values()), kernels.toString());
                    } else if (k == LinearKernel.MKL) {
                        assertEquals(Set.of("mkl-packed"), Set.copyOf(kernels.values()), kernels.toString());
                    } else if (k == LinearKernel.ONEDNN && !CpuFeatures.current().flags().contains("avx512f")) {
                        // AVX2 (brgemm:avx2, layout AB8b24a): every out-feature count packs correctly
                        assertEquals(Set.of("onednn-packed"), Set.copyOf(kernels.values()), kernels.toString());
                    }
                }
            }
        }
    }

    @Test
    void theLoadTimeCheckRejectsAPackedWeightThatIsNotTheWeight() throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(16, 16).setPatchSize(8).setWidth(16).setDepth(1)
                .setHeads(2).setNumClasses(3).build();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            PtSymbolBlock program = JniUtils.loadModule((PtNDManager) m,
                    new ByteArrayInputStream(VitProgram.archive(config,
                            new Precision.Choice(Precision.FP32, "test"), false).toBytes()), true, false);
            // 192 out-features: packed correctly on every CPU measured (48 is not on AVX-512: the trap the check exists for)
            PtNDArray w = (PtNDArray) m.randomNormal(new Shape(192, 64));
            PtNDArray other = (PtNDArray) w.mul(1.001f);
            try (IValue wv = IValue.from(w); IValue ov = IValue.from(other); IValue route = IValue.from(1L);
                    IValue packed = IValueUtils.runMethod(program, "store", wv, route);
                    IValue same = IValueUtils.runMethod(program, "agrees", packed, wv, route);
                    IValue differs = IValueUtils.runMethod(program, "agrees", packed, ov, route)) {
                assertTrue(same.toBoolean(), "a packed weight against itself");
                assertFalse(differs.toBoolean(), "a packed weight against a weight 0.1 % larger");
            }
            program.close();
        }
    }

    @Test
    void theLoadTimeCheckRejectsAnMklPackedWeightThatIsNotTheWeight() throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(16, 16).setPatchSize(8).setWidth(16).setDepth(1)
                .setHeads(2).setNumClasses(3).build();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            PtSymbolBlock program = JniUtils.loadModule((PtNDManager) m,
                    new ByteArrayInputStream(VitProgram.archive(config,
                            new Precision.Choice(Precision.FP32, "test"), false).toBytes()), true, false);
            PtNDArray w = (PtNDArray) m.randomNormal(new Shape(100, 64));
            PtNDArray other = (PtNDArray) w.mul(1.001f);
            // packed for 37 rows: agrees multiplies 1, 5, 64, 300 rows (aten::linear inside mkl::_mkl_linear)
            // and 37 (the packed sgemm)
            try (IValue rows = IValue.from(37L); IValue attention = IValue.from(0L);
                    IValue set = IValueUtils.runMethod(program, "set_kernels", rows, attention);
                    IValue wv = IValue.from(w); IValue ov = IValue.from(other); IValue route = IValue.from(2L);
                    IValue packed = IValueUtils.runMethod(program, "store", wv, route);
                    IValue same = IValueUtils.runMethod(program, "agrees", packed, wv, route);
                    IValue differs = IValueUtils.runMethod(program, "agrees", packed, ov, route)) {
                assertEquals(37, set.toLong());
                assertTrue(same.toBoolean(), "an MKL-packed weight against itself");
                assertFalse(differs.toBoolean(), "an MKL-packed weight against a weight 0.1 % larger");
            }
            program.close();
        }
    }
}
