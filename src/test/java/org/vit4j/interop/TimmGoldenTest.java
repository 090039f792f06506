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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vit4j.io.Npy;
import org.vit4j.model.Architecture;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;

/**
 * Imports the small models {@code src/test/resources/interop/timm/make_fixtures.py} built with
 * timm's own classes (Eva: DINOv3, RoPE-ViT axial, mixed, mixed + absolute table;
 * VisionTransformer: DINOv2 with registers) by their architecture name and hub {@code config.json},
 * and matches timm's logits to 1e-4 and {@code forward_features} to 1e-3, at the native grid and
 * at a non-square one (where timm recomputes the rotation and resamples a learned table).
 */
class TimmGoldenTest {

    static Path fixture(String name) {
        try {
            return Path.of(TimmGoldenTest.class.getResource("/interop/timm/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture /interop/timm/" + name + "; run make_fixtures.py", e);
        }
    }

    static VitModel imported(String name) throws IOException {
        return CheckpointImporter.builder().setSource(Source.TIMM)
                .setWeights(fixture(name + ".safetensors"))
                .optSourceConfig(fixture(name + "_config.json"))
                .build().toModel(Device.cpu());
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + " length");
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        assertTrue(scale > 0.1, what + ": reference is trivial (max |x| " + scale + ")");
        assertTrue(worst <= tol, what + ": max |vit4j - timm| = " + worst);
    }

    private static void assertMatches(VitModel model, String name, int h, int w) throws IOException {
        String size = h + "x" + w;
        Npy.Array x = Npy.read(fixture("input_" + size + ".npy"));
        Npy.Array logits = Npy.read(fixture(name + "_logits_" + size + ".npy"));
        Npy.Array features = Npy.read(fixture(name + "_features_" + size + ".npy"));
        try (NDManager m = model.newManager()) {
            NDArray images = m.create(x.data(), new Shape(x.shape())); // (B, C, H, W)
            NDArray out = model.forward(images).get(0); // (B, K)
            assertArrayEquals(logits.shape(), out.getShape().getShape(), name + " logits shape");
            assertClose(logits.data(), out.toFloatArray(), 1e-4, name + " logits " + size);
            NDArray f = model.encoded(images); // (B, T, D)
            assertArrayEquals(features.shape(), f.getShape().getShape(), name + " features shape");
            assertClose(features.data(), f.toFloatArray(), 1e-3, name + " forward_features " + size);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dinov3", "rope_axial", "rope_mixed", "rope_mixed_ape"})
    void evaMatchesTimmAtTheNativeAndANonSquareGrid(String name) throws IOException {
        try (VitModel model = imported(name)) {
            assertMatches(model, name, 32, 32);
            assertMatches(model, name, 24, 40);
        }
    }

    @Test
    void dinov2WithRegistersAndPatch14MatchesTimm() throws IOException {
        try (VitModel model = imported("dinov2")) {
            Architecture a = model.getConfig().architecture();
            assertEquals(14, a.patchSize());
            assertEquals(4, a.registerTokens());
            assertEquals(1e-5, a.layerScale());
            assertEquals(PositionEmbeddingKind.LEARNED, a.posEmb());
            assertEquals(PositionEmbeddingKind.NONE, a.rope());
            assertMatches(model, "dinov2", 42, 42);
            assertMatches(model, "dinov2", 28, 56);
        }
    }

    @Test
    void architectureNamesGiveTimmsRopeOptions() throws IOException {
        try (VitModel d3 = imported("dinov3"); VitModel mixed = imported("rope_mixed_ape");
                VitModel axial = imported("rope_axial")) {
            ViTConfig c = d3.getConfig();
            Architecture a = c.architecture();
            assertEquals(PositionEmbeddingKind.ROPE_DINOV3, a.rope());
            assertEquals(PositionEmbeddingKind.NONE, a.posEmb());
            assertEquals(RopeLayout.HALF, a.ropeLayout());
            assertEquals(100.0, a.ropeTheta());
            assertEquals(1e-5, a.layerNormEps());
            assertEquals(Pooling.AVG, a.pooling());
            assertEquals(4, a.registerTokens());
            assertEquals(1.0, c.preprocessing().cropPct());
            assertTrue(a.qkvBias());
            assertEquals(false, a.keyBias()); // Eva: q_bias, v_bias, k's fixed at zero
            assertEquals(true, axial.getConfig().architecture().keyBias()); // AttentionRope: a fused qkv.bias
            assertEquals("rope-mixed+learned", mixed.getConfig().architecture().positionName());
            assertEquals(10.0, mixed.getConfig().architecture().ropeTheta());
            assertEquals(RopeIndexing.XY, axial.getConfig().architecture().ropeIndexing());
            assertEquals(RopeLayout.INTERLEAVED, axial.getConfig().architecture().ropeLayout());
            assertEquals(Pooling.CLS, axial.getConfig().architecture().pooling());
            assertEquals(List.of("class_0", "class_1", "class_2", "class_3", "class_4"), axial.getLabels());
        }
    }
}
