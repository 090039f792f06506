package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vit4j.patch.PatchGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.Rope;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.RotaryEmbedding;

/**
 * Rotary position embeddings inside the network: prefix tokens pass unrotated, attention logits
 * between patches depend only on their offset, the two pair layouts are one model with permuted
 * head dimensions, LayerScale, any grid, and save/load.
 */
class RopeModelTest {

    @TempDir
    Path tmp;

    /** 48x64 grey, 16 px patches: a 3x4 grid; 2 heads of width 16. */
    private static ViTConfigBuilder small() {
        return ViTConfig.builder().setImageSize(48, 64).setPatchSize(16).optChannels(1)
                .setWidth(32).setDepth(2).setHeads(2).optMlpRatio(2).setNumClasses(5);
    }

    @ParameterizedTest
    @EnumSource(RopeLayout.class)
    void prefixTokensPassUnrotatedAndPatchesTurnAsRopeRotate(RopeLayout layout) {
        try (NDManager m = NDManager.newBaseManager()) {
            int prefix = 3;
            int rows = 2;
            int cols = 3;
            int d = 8;
            float[][] angles = Rope.axialAngles(rows, cols, d, 100, RopeIndexing.XY);
            float[][][] cs = Rope.cosSin(angles); // one value per rotation pair, as the rotary block's tables
            NDArray cos = m.create(flat(cs[0]), new Shape(rows * cols, d / 2));
            NDArray sin = m.create(flat(cs[1]), new Shape(rows * cols, d / 2));
            NDArray x = TestModels.images(m, 7, new Shape(1, 2, prefix + rows * cols, d)); // (B, H, T, hd)
            float[] in = x.toFloatArray();
            float[] out = RotaryEmbedding.apply(x, cos, sin, layout, prefix).toFloatArray();
            int t = prefix + rows * cols;
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < t; i++) {
                    int at = (h * t + i) * d;
                    float[] v = java.util.Arrays.copyOfRange(in, at, at + d);
                    float[] want = i < prefix ? v : Rope.rotate(v, angles[i - prefix], layout);
                    float[] got = java.util.Arrays.copyOfRange(out, at, at + d);
                    if (i < prefix) {
                        assertArrayEquals(want, got, "prefix token " + i + " was changed");
                    } else {
                        assertArrayEquals(want, got, 1e-5f, "patch " + (i - prefix));
                    }
                }
            }
        }
    }

    private static float[] flat(float[][] t) {
        float[] f = new float[t.length * t[0].length];
        for (int i = 0; i < t.length; i++) {
            System.arraycopy(t[i], 0, f, i * t[0].length, t[0].length);
        }
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"rope-axial", "rope-mixed", "rope-dinov3"})
    void attentionLogitBetweenTwoPatchesIsUnchangedWhenBothMoveByTheSameOffset(String kind) throws IOException {
        ViTConfig config = small().optPosEmb(kind).optPooling(Pooling.AVG).build();
        assertEquals(PositionEmbeddingKind.NONE, config.architecture().posEmb());
        try (VitModel model = TestModels.create(config, 13); NDManager m = model.newManager()) {
            RotaryEmbedding rope = model.getBlock().getRotaryEmbedding();
            assertNotNull(rope);
            int rows = 5;
            int cols = 6; // another, non-square grid than the configured 3x4: recomputed for it
            NDArray like = m.zeros(new Shape(1));
            List<NDList> rot = rope.rotations(new ParameterStore(m, false), PatchGrid.of(rows * 16, cols * 16, 16),
                    like, false);
            assertEquals(2, rot.size());
            int n = rows * cols;
            // the same query and key vector at every patch, so only the rotation differs
            NDArray q = TestModels.images(m, 1, new Shape(1, 2, 1, 16)).broadcast(new Shape(1, 2, n, 16));
            NDArray k = TestModels.images(m, 2, new Shape(1, 2, 1, 16)).broadcast(new Shape(1, 2, n, 16));
            for (int b = 0; b < 2; b++) {
                NDArray cos = rot.get(b).get(0);
                NDArray sin = rot.get(b).get(1);
                NDArray rq = RotaryEmbedding.apply(q, cos, sin, config.architecture().ropeLayout(), 0);
                NDArray rk = RotaryEmbedding.apply(k, cos, sin, config.architecture().ropeLayout(), 0);
                float[] logits = rq.matMul(rk.transpose(0, 1, 3, 2)).toFloatArray(); // (1, H, N, N)
                for (int h = 0; h < 2; h++) {
                    // patches (0, 1) -> (2, 0), then both moved by (dy, dx)
                    float base = logits[(h * n + 1) * n + 2 * cols];
                    for (int[] o : new int[][] {{1, 1}, {2, 4}, {1, 4}}) {
                        int from = o[0] * cols + 1 + o[1];
                        int to = (2 + o[0]) * cols + o[1];
                        assertEquals(base, logits[(h * n + from) * n + to], 1e-4,
                                kind + " block " + b + " head " + h + " offset " + o[0] + "," + o[1]);
                    }
                    float other = logits[(h * n) * n + 2 * cols + 3];
                    assertTrue(Math.abs(base - other) > 1e-3, kind + ": logits do not depend on position");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rope-axial", "rope-mixed+learned", "rope-dinov3"})
    void halfLayoutIsTheInterleavedModelWithPermutedHeadDimensions(String kind) throws IOException {
        ViTConfig inter = small().optPosEmb(kind).optRegisterTokens(2).optRopeLayout(RopeLayout.INTERLEAVED).build();
        ViTConfig half = inter.toBuilder().optRopeLayout(RopeLayout.HALF).build();
        int hd = 16;
        int[] perm = new int[hd]; // interleaved[j] = half[perm[j]]: 2p takes p, 2p + 1 takes p + hd/2
        for (int p = 0; p < hd / 2; p++) {
            perm[2 * p] = p;
            perm[2 * p + 1] = p + hd / 2;
        }
        try (VitModel a = TestModels.create(inter, 3); VitModel b = TestModels.create(half, 4);
                NDManager m = a.newManager()) {
            NDArray x = TestModels.images(m, 5, new Shape(2, 1, 48, 80)); // 3x5: another grid
            float[] want = a.forward(x).get(0).toFloatArray();
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : a.getBlock().namedParameters().entrySet()) {
                w.put(e.getKey(), e.getValue().getArray());
            }
            b.setWeights(w, "unpermuted");
            double unpermuted = TestModels.maxAbsDiff(want, b.forward(x).get(0).toFloatArray());
            assertTrue(unpermuted > 1e-3, "layouts agree without permuting: " + unpermuted);
            for (int i = 0; i < inter.architecture().depth(); i++) {
                String qkvW = "blocks." + i + ".attn.qkv.weight";
                String qkvB = "blocks." + i + ".attn.qkv.bias";
                w.put(qkvW, permuteQk(w.get(qkvW), perm, inter.architecture().heads(), hd, m));
                w.put(qkvB, permuteQk(w.get(qkvB), perm, inter.architecture().heads(), hd, m));
            }
            b.setWeights(w, "permuted");
            double diff = TestModels.maxAbsDiff(want, b.forward(x).get(0).toFloatArray());
            assertTrue(diff < 1e-4, "logits differ by " + diff);
        }
    }

    /** q and k rows of each head: half row {@code perm[j]} takes interleaved row {@code j}. */
    private static NDArray permuteQk(NDArray qkv, int[] perm, int heads, int hd, NDManager m) {
        Shape s = qkv.getShape();
        int rowLen = s.dimension() == 2 ? (int) s.get(1) : 1;
        float[] in = qkv.toFloatArray();
        float[] out = in.clone();
        for (int part = 0; part < 2; part++) { // q and k; v stays
            for (int h = 0; h < heads; h++) {
                int base = (part * heads + h) * hd;
                for (int j = 0; j < hd; j++) {
                    System.arraycopy(in, (base + j) * rowLen, out, (base + perm[j]) * rowLen, rowLen);
                }
            }
        }
        return m.create(out, s);
    }

    @Test
    void layerScaleMultipliesBothBranchesAndRopeMixedFreqsAreParameters() throws IOException {
        ViTConfig config = small().optPosEmb("rope-mixed").optLayerScale(1e-5).build();
        try (VitModel model = VitModel.create(config, TestModels.labels(5), ai.djl.Device.cpu(), 9)) {
            Map<String, Parameter> p = model.getBlock().namedParameters();
            assertEquals(new Shape(2, 2, 2, 8), p.get("rope.freqs").getArray().getShape());
            assertArrayEquals(new float[] {1e-5f, 1e-5f}, java.util.Arrays.copyOf(
                    p.get("blocks.1.ls2.gamma").getArray().toFloatArray(), 2));
            assertEquals(new Shape(32), p.get("blocks.0.ls1.gamma").getArray().getShape());
            // the initial frequencies are timm's init_random_2d_freqs: |(fx_l, fy_l)| = 1/10^(4l/16)
            float[] f = p.get("rope.freqs").getArray().toFloatArray();
            int perAxis = 2 * 2 * 8;
            for (int i = 0; i < 4; i++) { // block x head
                for (int l = 0; l < 4; l++) {
                    double mag = Math.hypot(f[i * 8 + l], f[perAxis + i * 8 + l]);
                    assertEquals(Math.pow(10, -4.0 * l / 16), mag, 1e-5);
                }
            }
            assertTrue(Math.abs(f[0] - f[8]) > 1e-4, "heads share one random angle");
        }
        // LayerScale gamma 0 would switch a branch off: with gamma = 0 everywhere the output is the
        // embedding's, whatever attention and MLP weights are
        ViTConfig ls = small().optPosEmb("rope-axial").optLayerScale(1).build();
        try (VitModel a = TestModels.create(ls, 1); VitModel b = TestModels.create(ls, 2); NDManager m = a.newManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : a.getBlock().namedParameters().entrySet()) {
                w.put(e.getKey(), e.getValue().getArray());
            }
            Map<String, NDArray> other = new LinkedHashMap<>(w);
            for (Map.Entry<String, Parameter> e : b.getBlock().namedParameters().entrySet()) {
                if (e.getKey().startsWith("blocks.")) {
                    other.put(e.getKey(), e.getValue().getArray());
                }
            }
            for (String n : w.keySet()) {
                if (n.contains(".ls")) {
                    w.put(n, m.zeros(new Shape(32)));
                    other.put(n, m.zeros(new Shape(32)));
                }
            }
            a.setWeights(w, "zero ls");
            b.setWeights(other, "zero ls, other blocks");
            NDArray x = TestModels.images(m, 5, new Shape(1, 1, 48, 64));
            assertArrayEquals(a.forward(x).get(0).toFloatArray(), b.forward(x).get(0).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void withoutKeyBiasTheKeyThirdOfQkvBiasIsUnusedAndGetsNoGradient() throws IOException {
        ViTConfig eva = small().optPosEmb("rope-dinov3").optKeyBias(false).build();
        ViTConfig vit = eva.toBuilder().optKeyBias(true).build();
        assertEquals(eva, ViTConfig.fromJson(eva.toJson()));
        assertTrue(eva.toJson().contains("\"keyBias\": false"));
        try (VitModel a = TestModels.create(eva, 5); VitModel b = TestModels.create(vit, 5); NDManager m = a.newManager()) {
            NDArray x = TestModels.images(m, 6, new Shape(2, 1, 48, 64));
            float[][] before = {a.forward(x).get(0).toFloatArray(), b.forward(x).get(0).toFloatArray()};
            for (VitModel model : new VitModel[] {a, b}) {
                Map<String, NDArray> w = new LinkedHashMap<>();
                for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
                    w.put(e.getKey(), e.getValue().getArray());
                }
                float[] bias = w.get("blocks.0.attn.qkv.bias").toFloatArray();
                for (int i = 32; i < 64; i++) {
                    bias[i] += 1f; // the key third
                }
                w.put("blocks.0.attn.qkv.bias", m.create(bias));
                model.setWeights(w, "k bias moved");
            }
            // with RoPE the key bias is rotated with the key, so it matters, unless it is not used
            assertArrayEquals(before[0], a.forward(x).get(0).toFloatArray(), 1e-6f);
            assertTrue(TestModels.maxAbsDiff(before[1], b.forward(x).get(0).toFloatArray()) > 1e-3);
            Parameter qkvBias = a.getBlock().namedParameters().get("blocks.0.attn.qkv.bias");
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                qkvBias.getArray().setRequiresGradient(true);
                NDArray out = a.getBlock().forward(new ParameterStore(m, false), new NDList(x), true).get(0);
                gc.backward(out.sum());
                float[] g = qkvBias.getArray().getGradient().toFloatArray();
                for (int i = 32; i < 64; i++) {
                    assertEquals(0f, g[i], "key bias gradient " + i);
                }
                assertTrue(Math.abs(g[0]) + Math.abs(g[70]) > 0, "q and v biases get gradients");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rope-axial", "rope-mixed+learned", "rope-dinov3+sincos2d-mae"})
    void saveThenLoadKeepsTheConfigAndGivesIdenticalLogits(String kind) throws IOException {
        ViTConfig config = small().optPosEmb(kind).optLayerScale(0.1).optRegisterTokens(1).build();
        Path dir = tmp.resolve(kind);
        float[] before;
        try (VitModel model = TestModels.create(config, 8); NDManager m = model.newManager()) {
            before = model.forward(TestModels.images(m, 1, new Shape(2, 1, 48, 64))).get(0).toFloatArray();
            model.save(dir);
        }
        try (VitModel loaded = VitModel.load(dir, ai.djl.Device.cpu()); NDManager m = loaded.newManager()) {
            assertEquals(config, loaded.getConfig());
            assertEquals(kind, loaded.getConfig().architecture().positionName());
            float[] after = loaded.forward(TestModels.images(m, 1, new Shape(2, 1, 48, 64))).get(0).toFloatArray();
            assertArrayEquals(before, after);
        }
    }

    @Test
    void configJsonWritesTheRopeAndReadsOldFilesAsNone() {
        ViTConfig c = small().optPosEmb("rope-dinov3").optLayerScale(1e-5).build();
        String json = c.toJson();
        assertTrue(json.contains("\"rope\": {\n    \"kind\": \"rope-dinov3\",\n    \"theta\": 100.0,\n"
                + "    \"layout\": \"half\",\n    \"indexing\": \"ij\"\n  }"), json);
        assertEquals(c, ViTConfig.fromJson(json));
        // a config.json written before RoPE and LayerScale existed
        String old = "{\"format\":\"vit4j-model\",\"formatVersion\":1,\"imageHeight\":48,\"imageWidth\":64,"
                + "\"channels\":1,\"patchSize\":16,\"width\":32,\"depth\":2,\"heads\":2,\"numClasses\":5,"
                + "\"posEmb\":\"learned\"}";
        ViTConfig o = ViTConfig.fromJson(old);
        assertEquals(PositionEmbeddingKind.NONE, o.architecture().rope());
        assertEquals(0, o.architecture().layerScale());
        assertEquals("learned", o.architecture().positionName());
        assertEquals("config field 'rope.kind': unknown position embedding 'rope-3d'; valid: none, learned, "
                        + "sincos1d, sincos2d-mae, sincos2d-bigvision, rope-axial, rope-mixed, rope-dinov3",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> ViTConfig.fromJson(old.replace("}", ",\"rope\":{\"kind\":\"rope-3d\"}}"))).getMessage());
        assertEquals("rope-axial needs a head width divisible by 4, got 24/4 = 6.0",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> small().setWidth(24).setHeads(4).optPosEmb("rope-axial").build()).getMessage());
    }
}
