package org.vit4j.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.compiled.CompiledVit;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.io.Npy;
import org.vit4j.model.TestModels;
import org.vit4j.model.VitModel;
import org.vit4j.position.PosEmbedResampler;

/**
 * The compiled forward on the imported timm / Hugging Face / torchvision fixtures (those of {@link
 * CheckpointImporterTest}, at their own and at other, non-square sizes): fp32 gives PyTorch's logits
 * to 1e-4 as the eager blocks do, and the eager blocks' to 1e-5; bf16 stays within 2% of the largest
 * |logit| (bfloat16 keeps 8 significant bits: 2^-8 = 0.4% per rounding) and so can change a top-1
 * class only where fp32's margin between the two best classes is below twice that difference (these
 * fixtures have random weights, hence small margins); int8 keeps the top-1 classes by the same rule
 * ({@link #int8Agrees}). Prints one line per fixture with the measured differences. The timm architectures with registers, LayerScale, a q/v-only bias and
 * rotary embeddings run compiled too, against timm's logits and {@code forward_features}.
 */
class CompiledFixturesTest {

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of(Source.TORCHVISION, "tv.safetensors", 2, null, null, "tv_input_32x32.npy", "tv_logits_32x32.npy"),
                Arguments.of(Source.TORCHVISION, "tv.safetensors", 2, new int[] {48, 32}, null, "tv_input_48x32.npy", "tv_logits_48x32.npy"),
                Arguments.of(Source.TIMM, "timm_cls.safetensors", 2, null, null, "input_24x24.npy", "timm_cls_logits_24x24.npy"),
                Arguments.of(Source.TIMM, "timm_cls.safetensors", 2, new int[] {32, 40}, null, "input_32x40.npy", "timm_cls_logits_32x40.npy"),
                Arguments.of(Source.TIMM, "timm_reg_avg.safetensors", 4, null, null, "input_24x24.npy", "timm_reg_avg_logits_24x24.npy"),
                Arguments.of(Source.TIMM, "half.safetensors", 2, null, null, "input_24x24.npy", "half_logits_24x24.npy"),
                Arguments.of(Source.HF, "hf.safetensors", 4, null, null, "input_24x24.npy", "hf_logits_24x24.npy"),
                Arguments.of(Source.HF, "hf.safetensors", 4, new int[] {40, 32}, PosEmbedResampler.Mode.HF,
                        "input_40x32.npy", "hf_logits_40x32.npy"));
    }

    private static Path fixture(String name) {
        try {
            return Path.of(CompiledFixturesTest.class.getResource("/interop/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture /interop/" + name, e);
        }
    }

    @ParameterizedTest(name = "{1} {6}")
    @MethodSource("fixtures")
    void compiledGivesPyTorchsLogitsAndBf16KeepsTheClasses(Source source, String weights, int heads, int[] size,
            PosEmbedResampler.Mode resample, String input, String logits) throws IOException {
        CheckpointImporter.Builder b = CheckpointImporter.builder().setSource(source).setWeights(fixture(weights)).optHeads(heads);
        if (size != null) {
            b.optImageSize(size[0], size[1]);
        }
        if (resample != null) {
            b.optPosResample(resample);
        }
        Npy.Array x = Npy.read(fixture(input));
        float[] want = Npy.read(fixture(logits)).data();
        try (VitModel model = b.build().toModel(Device.cpu());
                CompiledVit fp32 = CompiledVit.compile(model.getBlock(), new Precision.Choice(Precision.FP32, "test"),
                        model.getModel().getNDManager());
                CompiledVit bf16 = CompiledVit.compile(model.getBlock(), new Precision.Choice(Precision.BF16, "test"),
                        model.getModel().getNDManager());
                CompiledVit int8 = CompiledVit.compile(model.getBlock(), new Precision.Choice(Precision.INT8, "test"),
                        model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            NDArray images = m.create(x.data(), new Shape(x.shape())); // (B, C, H, W)
            float[] eager = model.forward(images).get(0).toFloatArray();
            float[] quantized = int8.forward(images).get(0).toFloatArray();
            NDArray out = fp32.forward(images).get(0); // (B, K)
            assertArrayEquals(new long[] {x.shape()[0], want.length / x.shape()[0]}, out.getShape().getShape());
            float[] compiled = out.toFloatArray();
            float[] half = bf16.forward(images).get(0).toFloatArray();
            double scale = TestModels.maxAbsDiff(want, new float[want.length]);
            double vsTorch = TestModels.maxAbsDiff(compiled, want);
            double vsEager = TestModels.maxAbsDiff(compiled, eager);
            double bfDiff = TestModels.maxAbsDiff(half, compiled);
            int k = want.length / (int) x.shape()[0];
            int agree = 0;
            double minMargin = Double.POSITIVE_INFINITY;
            for (int i = 0; i < x.shape()[0]; i++) {
                double margin = margin(compiled, i, k);
                minMargin = Math.min(minMargin, margin);
                if (argMax(half, i, k) == argMax(compiled, i, k)) {
                    agree++;
                } else {
                    assertTrue(margin <= 2 * bfDiff, logits + " image " + i + ": bf16 changed the top-1 class though"
                            + " fp32's margin " + margin + " exceeds twice max |dlogit| " + bfDiff);
                }
            }
            System.out.printf(Locale.ROOT, "[compiled] %-26s %-28s max|logit| %.3f  fp32 vs torch %.1e  vs eager %.1e"
                    + "  bf16: top-1 %d/%d, max|dlogit| %.2e (%.2f%% of max|logit|), smallest fp32 top-2 margin %.1e%n",
                    weights, logits, scale, vsTorch, vsEager, agree, x.shape()[0], bfDiff, 100 * bfDiff / scale, minMargin);
            int8Agrees(logits, compiled, quantized, (int) x.shape()[0], k);
            assertTrue(vsTorch <= 1e-4, logits + ": max |compiled - torch| = " + vsTorch);
            assertTrue(vsEager <= 1e-5, logits + ": max |compiled - eager| = " + vsEager);
            assertTrue(bfDiff <= 0.02 * scale, logits + ": bf16 max |dlogit| " + bfDiff + " of max |logit| " + scale);
        }
    }

    static Stream<Arguments> timmFixtures() {
        return Stream.of(
                Arguments.of("dinov2", "42x42"), Arguments.of("dinov2", "28x56"),
                Arguments.of("dinov3", "32x32"), Arguments.of("dinov3", "24x40"),
                Arguments.of("rope_axial", "32x32"), Arguments.of("rope_axial", "24x40"),
                Arguments.of("rope_mixed", "32x32"), Arguments.of("rope_mixed", "24x40"),
                Arguments.of("rope_mixed_ape", "32x32"), Arguments.of("rope_mixed_ape", "24x40"));
    }

    /**
     * The timm architectures with registers, LayerScale, q/v-only bias and every rotary kind (the
     * fixtures of {@link TimmGoldenTest}) run compiled, without falling back to the eager blocks:
     * fp32 logits within 1e-4 of timm's and 1e-5 of the eager blocks', {@code forward_features}
     * within 1e-3 of timm's (its tolerance there) and 1e-5 of the eager blocks'; bf16 logits within
     * 3% of the largest |logit| (bf16's error follows the activations, and the logits of these
     * random-weight models are small beside them: rope_mixed_ape's largest is 0.66, its bf16 error 1.4e-2).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("timmFixtures")
    void timmArchitecturesRunCompiledWithTimmsLogits(String name, String size) throws IOException {
        Npy.Array x = Npy.read(TimmGoldenTest.fixture("input_" + size + ".npy"));
        float[] want = Npy.read(TimmGoldenTest.fixture(name + "_logits_" + size + ".npy")).data();
        float[] wantEncoded = Npy.read(TimmGoldenTest.fixture(name + "_features_" + size + ".npy")).data();
        try (VitModel model = TimmGoldenTest.imported(name);
                InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32);
                CompiledVit fp32 = CompiledVit.compile(model.getBlock(), new Precision.Choice(Precision.FP32, "test"),
                        model.getModel().getNDManager());
                CompiledVit bf16 = CompiledVit.compile(model.getBlock(), new Precision.Choice(Precision.BF16, "test"),
                        model.getModel().getNDManager());
                CompiledVit int8 = CompiledVit.compile(model.getBlock(), new Precision.Choice(Precision.INT8, "test"),
                        model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            assertEquals(ForwardEngine.COMPILED, f.engine(), f.describe());
            NDArray images = m.create(x.data(), new Shape(x.shape())); // (B, C, H, W)
            float[] compiled = f.forward(images).get(0).toFloatArray();
            float[] eager = model.forward(images).get(0).toFloatArray();
            float[] encoded = fp32.encoded(images).toFloatArray();
            float[] eagerEncoded = model.encoded(images).toFloatArray();
            float[] half = bf16.forward(images).get(0).toFloatArray();
            double scale = TestModels.maxAbsDiff(want, new float[want.length]);
            double vsTimm = TestModels.maxAbsDiff(compiled, want);
            double vsEager = TestModels.maxAbsDiff(compiled, eager);
            double encodedVsTimm = TestModels.maxAbsDiff(encoded, wantEncoded);
            double encodedVsEager = TestModels.maxAbsDiff(encoded, eagerEncoded);
            double bfDiff = TestModels.maxAbsDiff(half, compiled);
            System.out.printf(Locale.ROOT, "[compiled] %-15s %-6s max|logit| %.3f  fp32 vs timm %.1e  vs eager %.1e"
                    + "  encoded vs timm %.1e  vs eager %.1e  bf16 max|dlogit| %.2e%n",
                    name, size, scale, vsTimm, vsEager, encodedVsTimm, encodedVsEager, bfDiff);
            assertTrue(scale > 0.1, name + ": the reference logits are trivial");
            assertTrue(vsTimm <= 1e-4, name + " " + size + ": max |compiled - timm| = " + vsTimm);
            assertTrue(vsEager <= 1e-5, name + " " + size + ": max |compiled - eager| = " + vsEager);
            assertTrue(encodedVsTimm <= 1e-3, name + " " + size + ": encoded max |compiled - timm| = " + encodedVsTimm);
            assertTrue(encodedVsEager <= 1e-5, name + " " + size + ": encoded max |compiled - eager| = " + encodedVsEager);
            assertTrue(bfDiff <= 0.03 * scale, name + " " + size + ": bf16 max |dlogit| " + bfDiff + " of max |logit| " + scale);
            int8Agrees(name + " " + size, compiled, int8.forward(images).get(0).toFloatArray(), (int) x.shape()[0],
                    want.length / (int) x.shape()[0]);
        }
    }

    /**
     * int8 keeps fp32's top-1 class of every image whose fp32 margin between the two best classes
     * exceeds twice int8's largest |dlogit| (as for bf16; on the AMD EPYC with AVX-512 VNNI where
     * these were measured, int8 kept every one of the 26 images' classes, the closest fp32 margin
     * being 3.4e-3 against an int8 error of 4.0e-2); prints the agreement, the largest |dlogit| and
     * the smallest fp32 margin.
     */
    private static void int8Agrees(String what, float[] fp32, float[] int8, int images, int k) {
        int agree = 0;
        double minMargin = Double.POSITIVE_INFINITY;
        double scale = TestModels.maxAbsDiff(fp32, new float[fp32.length]);
        double d = TestModels.maxAbsDiff(fp32, int8);
        for (int i = 0; i < images; i++) {
            double margin = margin(fp32, i, k);
            minMargin = Math.min(minMargin, margin);
            if (argMax(int8, i, k) == argMax(fp32, i, k)) {
                agree++;
            } else {
                assertTrue(margin <= 2 * d, what + " image " + i + ": int8 changed the top-1 class though fp32's"
                        + " margin " + margin + " exceeds twice max |dlogit| " + d);
            }
        }
        System.out.printf(Locale.ROOT, "[int8] %-34s top-1 as fp32 %d/%d, max|dlogit| %.2e (%.2f%% of max|logit|),"
                + " smallest fp32 top-2 margin %.1e%n", what, agree, images, d, 100 * d / scale, minMargin);
    }

    /** fp32's lead of the best class over the second. */
    private static double margin(float[] rows, int row, int k) {
        int best = argMax(rows, row, k);
        double second = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            if (j != best) {
                second = Math.max(second, rows[row * k + j]);
            }
        }
        return rows[row * k + best] - second;
    }

    private static int argMax(float[] rows, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (rows[row * k + j] > rows[row * k + best]) {
                best = j;
            }
        }
        return best;
    }
}
