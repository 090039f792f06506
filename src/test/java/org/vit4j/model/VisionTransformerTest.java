package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PosEmbedResampler;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.SinCos2d;
import org.vit4j.position.SinCosLayout;

/**
 * Facts about the whole network: what position embeddings make it sensitive to, where the class
 * and register tokens sit, the equivalence of the two sin-cos layouts, other input sizes.
 */
class VisionTransformerTest {

    /** 64x64 grey, 16 px patches: a 4x4 patch grid. */
    private static ViTConfigBuilder small() {
        return ViTConfig.builder().setImageSize(64, 64).setPatchSize(16).optChannels(1)
                .setWidth(32).setDepth(2).setHeads(2).optMlpRatio(2).setNumClasses(10);
    }

    private static float[] logits(VitModel model, NDArray images) {
        return model.forward(images).get(0).toFloatArray();
    }

    /** Scrambles every image of a batch with its own seeded permutation. */
    private static NDArray scramble(NDArray images, ShuffleGrid grid, long seed) {
        Shape s = images.getShape();
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int per = c * h * w;
        float[] all = images.toFloatArray();
        float[] out = new float[all.length];
        for (int i = 0; i < s.get(0); i++) {
            float[] img = Arrays.copyOfRange(all, i * per, (i + 1) * per);
            float[] sc = Scrambler.apply(img, c, h, w, grid, Scrambler.permutation(grid.size(), seed + i));
            System.arraycopy(sc, 0, out, i * per, per);
        }
        return images.getManager().create(out, s);
    }

    @ParameterizedTest
    @EnumSource(PositionEmbeddingKind.class)
    void onlyAPositionEmbeddingMakesAvgPooledLogitsDependOnPatchOrder(PositionEmbeddingKind kind)
            throws IOException {
        ViTConfig config = small().optPooling(Pooling.AVG).optPosEmb(kind).build();
        assertEquals(false, config.architecture().classToken());
        try (VitModel model = TestModels.create(config, 21); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 3, new Shape(2, 1, 64, 64));
            float[] plain = logits(model, x);
            for (ShuffleGrid grid : new ShuffleGrid[] {new ShuffleGrid(4, 4), new ShuffleGrid(2, 2)}) {
                NDArray scrambled = scramble(x, grid, 100);
                // the scramble did move pixels
                assertTrue(TestModels.maxAbsDiff(x.toFloatArray(), scrambled.toFloatArray()) > 1);
                double diff = TestModels.maxAbsDiff(plain, logits(model, scrambled));
                if (kind == PositionEmbeddingKind.NONE) {
                    assertTrue(diff < 1e-5, "no position embedding, grid " + grid + ": logits moved by " + diff);
                } else {
                    assertTrue(diff > 1e-2, kind + ", grid " + grid + ": logits moved only by " + diff);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = PositionEmbeddingKind.class, names = {"SINCOS2D_MAE", "SINCOS2D_BIGVISION"})
    void interleavedLayoutIsSplitWithPermutedResidualStream(PositionEmbeddingKind kind) throws IOException {
        ViTConfig split = small().optPosEmb(kind).optPosEmbLayout(SinCosLayout.SPLIT)
                .optRegisterTokens(1).build();
        ViTConfig interleaved = split.toBuilder().optPosEmbLayout(SinCosLayout.INTERLEAVED).build();
        int d = split.architecture().width();
        // column j of the interleaved table is column perm[j] of the split one
        int[] perm = SinCos2d.interleavedToSplit(d);
        try (VitModel a = TestModels.create(split, 31);
                VitModel b = TestModels.create(interleaved, 99);
                NDManager m = a.newManager()) {
            NDArray x = TestModels.images(m, 4, new Shape(2, 1, 64, 64));
            NDList outA = a.forward(x);

            // b with a's weights unchanged: the layouts really differ
            Map<String, NDArray> same = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : a.getBlock().namedParameters().entrySet()) {
                same.put(e.getKey(), e.getValue().getArray());
            }
            b.setWeights(same, "unpermuted");
            double unpermuted = TestModels.maxAbsDiff(outA.get(0).toFloatArray(), logits(b, x));
            assertTrue(unpermuted > 1e-2, "layouts gave the same logits without permuting: " + unpermuted);

            b.setWeights(permuteResidualStream(a, perm, m), "permuted");
            NDList outB = b.forward(x);
            double diff = TestModels.maxAbsDiff(outA.get(0).toFloatArray(), outB.get(0).toFloatArray());
            assertTrue(diff < 1e-5, "logits differ by " + diff);
            // the pooled vector lives in the residual stream: b's is a's with columns permuted
            float[] pa = outA.get(1).toFloatArray();
            float[] pb = outB.get(1).toFloatArray();
            float[] expected = new float[pb.length];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < d; j++) {
                    expected[i * d + j] = pa[i * d + perm[j]];
                }
            }
            double pooled = TestModels.maxAbsDiff(expected, pb);
            assertTrue(pooled < 1e-5, "pooled differs by " + pooled);
        }
    }

    /** a's weights with the width-D residual axis permuted: new[j] = old[perm[j]]. */
    private static Map<String, NDArray> permuteResidualStream(VitModel a, int[] perm, NDManager m) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : a.getBlock().namedParameters().entrySet()) {
            String n = e.getKey();
            NDArray w = e.getValue().getArray();
            long[] s = w.getShape().getShape();
            float[] v = w.toFloatArray();
            float[] r;
            if (n.equals("patch_embed.proj.weight") || n.endsWith("attn.proj.weight")
                    || n.endsWith("mlp.fc2.weight")) {
                r = permuteRows(v, s[0], s[1], perm); // output rows are the residual axis
            } else if (n.equals("patch_embed.proj.bias") || n.endsWith("attn.proj.bias")
                    || n.endsWith("mlp.fc2.bias") || n.endsWith(".gamma") || n.endsWith(".beta")) {
                r = permuteRows(v, s[0], 1, perm);
            } else if (n.equals("cls_token") || n.equals("reg_token") || n.endsWith("attn.qkv.weight")
                    || n.endsWith("mlp.fc1.weight") || n.equals("head.weight")) {
                r = permuteCols(v, s[0], s[1], perm); // input columns are the residual axis
            } else if (n.endsWith("attn.qkv.bias") || n.endsWith("mlp.fc1.bias") || n.equals("head.bias")) {
                r = v;
            } else {
                throw new AssertionError("no rule for parameter " + n + " " + w.getShape());
            }
            out.put(n, m.create(r, w.getShape()));
        }
        return out;
    }

    private static float[] permuteRows(float[] v, long rows, long cols, int[] perm) {
        float[] r = new float[v.length];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(v, (int) (perm[i] * cols), r, (int) (i * cols), (int) cols);
        }
        return r;
    }

    private static float[] permuteCols(float[] v, long rows, long cols, int[] perm) {
        float[] r = new float[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                r[(int) (i * cols + j)] = v[(int) (i * cols + perm[j])];
            }
        }
        return r;
    }

    private static float[] row(float[] flat, int row, int d) {
        return Arrays.copyOfRange(flat, row * d, (row + 1) * d);
    }

    private static float[] param(VitModel model, String name) {
        return model.getBlock().namedParameters().get(name).getArray().toFloatArray();
    }

    private static float[] add(float[] a, float[] b) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] + b[i];
        }
        return r;
    }

    @Test
    void classTokenGetsLearnedRowZeroAndRegistersGetNoPosition() throws IOException {
        ViTConfig config = small().optRegisterTokens(2).optPosEmb(PositionEmbeddingKind.LEARNED).build();
        int d = 32;
        int n = 16;
        try (VitModel model = TestModels.create(config, 41); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 6, new Shape(2, 1, 64, 64));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray tokens = model.getBlock().embed(ps, x, false);
            assertEquals(new Shape(2, 1 + 2 + n, d), tokens.getShape());
            float[] patches = model.getBlock().getPatchEmbedding().forward(ps, new NDList(x), false)
                    .head().toFloatArray(); // (B, N, D)
            float[] cls = param(model, "cls_token");
            float[] reg = param(model, "reg_token");
            float[] table = param(model, "pos_embed.table"); // (1 + N, D)
            assertEquals((1 + n) * d, table.length);
            for (int b = 0; b < 2; b++) {
                float[] t = row(tokens.toFloatArray(), b, (3 + n) * d);
                assertArrayEquals(add(cls, row(table, 0, d)), row(t, 0, d), "class token row, image " + b);
                assertArrayEquals(row(reg, 0, d), row(t, 1, d), "register 0 has no position");
                assertArrayEquals(row(reg, 1, d), row(t, 2, d), "register 1 has no position");
                for (int p = 0; p < n; p++) {
                    float[] want = add(row(patches, b * n + p, d), row(table, 1 + p, d));
                    assertTrue(TestModels.maxAbsDiff(want, row(t, 3 + p, d)) < 1e-6, "patch " + p);
                }
            }
        }
    }

    @Test
    void sinCosClassTokenRowIsZeroAndRegistersGetNoPosition() throws IOException {
        ViTConfig config = small().optRegisterTokens(2).optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE).build();
        int d = 32;
        int n = 16;
        float[][] table = SinCos2d.table(4, 4, d, SinCos2d.Schedule.MAE, SinCosLayout.SPLIT);
        try (VitModel model = TestModels.create(config, 42); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 7, new Shape(1, 1, 64, 64));
            ParameterStore ps = new ParameterStore(m, false);
            float[] t = model.getBlock().embed(ps, x, false).toFloatArray(); // (1, 3 + N, D)
            assertEquals((3 + n) * d, t.length);
            float[] patches = model.getBlock().getPatchEmbedding().forward(ps, new NDList(x), false)
                    .head().toFloatArray();
            float[] reg = param(model, "reg_token");
            assertArrayEquals(param(model, "cls_token"), row(t, 0, d), "class token gets a zero row");
            assertArrayEquals(row(reg, 0, d), row(t, 1, d));
            assertArrayEquals(row(reg, 1, d), row(t, 2, d));
            for (int p = 0; p < n; p++) {
                float[] want = add(row(patches, p, d), table[p]);
                assertTrue(TestModels.maxAbsDiff(want, row(t, 3 + p, d)) < 1e-6, "patch " + p);
            }
        }
    }

    @Test
    void poolingTakesTheClassTokenOrThePatchMeanWithoutPrefixTokens() throws IOException {
        int d = 32;
        int n = 16;
        for (Pooling pooling : Pooling.values()) {
            ViTConfig config = small().optPooling(pooling).optClassToken(true).optRegisterTokens(2).build();
            try (VitModel model = TestModels.create(config, 43); NDManager m = model.newManager()) {
                NDArray x = TestModels.images(m, 8, new Shape(2, 1, 64, 64));
                float[] feats = model.getBlock().forwardEncoded(new ParameterStore(m, false), x, false)
                        .toFloatArray(); // (B, 3 + N, D)
                float[] pooled = model.forward(x).get(1).toFloatArray(); // (B, D)
                for (int b = 0; b < 2; b++) {
                    float[] t = row(feats, b, (3 + n) * d);
                    float[] want = new float[d];
                    if (pooling == Pooling.CLS) {
                        want = row(t, 0, d);
                    } else {
                        for (int p = 0; p < n; p++) {
                            for (int j = 0; j < d; j++) {
                                want[j] += t[(3 + p) * d + j] / n;
                            }
                        }
                    }
                    double diff = TestModels.maxAbsDiff(want, row(pooled, b, d));
                    assertTrue(diff < 1e-5, pooling + ": pooled differs by " + diff);
                }
            }
        }
    }

    /** 32x32 RGB, 8 px patches: a 4x4 grid, run on a 32x48 input (4x6 grid). */
    private static ViTConfigBuilder nonSquare() {
        return ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(16).setDepth(2).setHeads(2).setNumClasses(4).optPooling(Pooling.AVG);
    }

    @Test
    void sinCosTableIsRecomputedForAnotherInputSize() throws IOException {
        ViTConfig config = nonSquare().optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE).build();
        int d = 16;
        try (VitModel model = TestModels.create(config, 51); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 8, new Shape(2, 3, 32, 48));
            NDArray logits = model.forward(x).get(0);
            assertEquals(new Shape(2, 4), logits.getShape());
            assertTrue(TestModels.allFinite(logits.toFloatArray()));
            ParameterStore ps = new ParameterStore(m, false);
            float[] t = model.getBlock().embed(ps, x, false).toFloatArray(); // (2, 24, D)
            float[] patches = model.getBlock().getPatchEmbedding().forward(ps, new NDList(x), false)
                    .head().toFloatArray();
            float[][] table = SinCos2d.table(4, 6, d, SinCos2d.Schedule.MAE, SinCosLayout.SPLIT);
            for (int p = 0; p < 48; p++) {
                float[] want = add(row(patches, p, d), table[p % 24]);
                assertTrue(TestModels.maxAbsDiff(want, row(t, p, d)) < 1e-6, "token " + p);
            }
            // the configured size still uses its own 4x4 table afterwards (no stale cache)
            NDArray sq = TestModels.images(m, 9, new Shape(1, 3, 32, 32));
            float[] ts = model.getBlock().embed(ps, sq, false).toFloatArray();
            float[] ps2 = model.getBlock().getPatchEmbedding().forward(ps, new NDList(sq), false)
                    .head().toFloatArray();
            float[][] square = SinCos2d.table(4, 4, d, SinCos2d.Schedule.MAE, SinCosLayout.SPLIT);
            for (int p = 0; p < 16; p++) {
                assertTrue(TestModels.maxAbsDiff(add(row(ps2, p, d), square[p]), row(ts, p, d)) < 1e-6);
            }
        }
    }

    @Test
    void learnedTableIsResampledForAnotherInputSize() throws IOException {
        ViTConfig config = nonSquare().optPooling(Pooling.CLS).optPosEmb(PositionEmbeddingKind.LEARNED).build();
        int d = 16;
        try (VitModel model = TestModels.create(config, 52); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 10, new Shape(2, 3, 32, 48));
            NDArray logits = model.forward(x).get(0);
            assertEquals(new Shape(2, 4), logits.getShape());
            assertTrue(TestModels.allFinite(logits.toFloatArray()));
            ParameterStore ps = new ParameterStore(m, false);
            float[] t = model.getBlock().embed(ps, x, false).toFloatArray(); // (2, 1 + 24, D)
            assertEquals(2 * 25 * d, t.length);
            float[] patches = model.getBlock().getPatchEmbedding().forward(ps, new NDList(x), false)
                    .head().toFloatArray();
            float[] table = param(model, "pos_embed.table"); // (1 + 16, D)
            float[][] grid = new float[16][];
            for (int p = 0; p < 16; p++) {
                grid[p] = row(table, 1 + p, d);
            }
            float[][] resampled = PosEmbedResampler.resample(grid, 4, 4, 4, 6, PosEmbedResampler.Mode.TIMM);
            float[] cls = param(model, "cls_token");
            for (int b = 0; b < 2; b++) {
                float[] img = row(t, b, 25 * d);
                assertTrue(TestModels.maxAbsDiff(add(cls, row(table, 0, d)), row(img, 0, d)) < 1e-6);
                for (int p = 0; p < 24; p++) {
                    float[] want = add(row(patches, b * 24 + p, d), resampled[p]);
                    assertTrue(TestModels.maxAbsDiff(want, row(img, 1 + p, d)) < 1e-5, "patch " + p);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = PositionEmbeddingKind.class, names = {"LEARNED", "SINCOS2D_MAE"})
    void forwardAtAnotherSizeLeavesNothingInTheModelsManager(PositionEmbeddingKind kind) throws IOException {
        ViTConfig config = nonSquare().optPooling(Pooling.CLS).optPosEmb(kind).build();
        try (VitModel model = TestModels.create(config, 53)) {
            NDManager owner = model.getModel().getNDManager();
            try (NDManager m = model.newManager()) {
                model.forward(TestModels.images(m, 1, new Shape(1, 3, 32, 48))); // may fill caches
            }
            int before = owner.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager m = model.newManager()) {
                    model.forward(TestModels.images(m, 1, new Shape(1, 3, 32, 48)));
                }
            }
            assertEquals(before, owner.getManagedArrays().size(), "arrays left behind in the model's manager");
        }
    }

    @Test
    void everyParameterReceivesAGradient() throws IOException {
        ViTConfig config = small().optRegisterTokens(2).optPosEmb(PositionEmbeddingKind.LEARNED).build();
        try (VitModel model = TestModels.create(config, 54); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 2, new Shape(2, 1, 64, 64));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), true).get(0);
                gc.backward(logits.square().sum());
            }
            for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
                NDArray g = e.getValue().getArray().getGradient();
                float norm = g.abs().sum().getFloat();
                assertTrue(norm > 0 && Float.isFinite(norm), e.getKey() + " gradient |g|_1 = " + norm);
                g.subi(g); // PyTorch accumulates: leave the model clean
            }
        }
    }

    @Test
    void registersWithoutClassTokenComeFirst() throws IOException {
        ViTConfig config = small().optPooling(Pooling.AVG).optRegisterTokens(2)
                .optPosEmb(PositionEmbeddingKind.SINCOS2D_BIGVISION).build();
        int d = 32;
        try (VitModel model = TestModels.create(config, 55); NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 3, new Shape(1, 1, 64, 64));
            ParameterStore ps = new ParameterStore(m, false);
            float[] t = model.getBlock().embed(ps, x, false).toFloatArray(); // (1, 2 + N, D)
            assertEquals((2 + 16) * d, t.length);
            float[] reg = param(model, "reg_token");
            assertArrayEquals(row(reg, 0, d), row(t, 0, d));
            assertArrayEquals(row(reg, 1, d), row(t, 1, d));
            float[] patches = model.getBlock().getPatchEmbedding().forward(ps, new NDList(x), false)
                    .head().toFloatArray();
            float[][] table = SinCos2d.table(4, 4, d, SinCos2d.Schedule.BIG_VISION, SinCosLayout.SPLIT);
            for (int p = 0; p < 16; p++) {
                assertTrue(TestModels.maxAbsDiff(add(row(patches, p, d), table[p]), row(t, 2 + p, d)) < 1e-6);
            }
        }
    }
}
