package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;

/**
 * Mean attention distance: hand-made maps give their distances, prefix tokens are left out, and a
 * model whose attention is uniform (its queries zero) gives the mean distance between two patches
 * of the grid, on both forwards, scrambled or not.
 */
class AttentionDistanceTest {

    /** The mean euclidean distance between two patches of a grid, each pair (both orders, and each patch with itself) once. */
    private static double gridMean(int rows, int cols) {
        double s = 0;
        int n = rows * cols;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s += Math.hypot(i / cols - j / cols, i % cols - j % cols);
            }
        }
        return s / ((double) n * n);
    }

    @Test
    void gridMeansWorkedOutByHand() {
        assertEquals(0.5, gridMean(1, 2), 1e-12); // two patches: 0 to itself, 1 to the other
        assertEquals((2 + Math.sqrt(2)) / 4, gridMean(2, 2), 1e-12); // 0, 1, 1, sqrt 2
    }

    @Test
    void handMadeMapsGiveTheirDistancesAndPrefixTokensAreLeftOut() {
        try (NDManager m = NDManager.newBaseManager()) {
            int prefix = 1;
            int rows = 2;
            int cols = 3;
            int n = rows * cols;
            int t = prefix + n;
            float[] a = new float[2 * t * t]; // (L=1, B=1, H=2, T, T)
            for (int i = 0; i < t; i++) {
                a[i * t + i] = 1; // head 0: every token on itself: distance 0
                // head 1: half on the class token (left out), half on a patch of the same row
                int row = t * t + i * t;
                a[row] = 0.5f;
                int p = i - prefix;
                if (p >= 0) {
                    int c = p % cols;
                    a[row + prefix + (p - c) + (c == 2 ? 0 : 2)] += 0.5f; // columns 0, 1 look at column 2; column 2 at column 0
                } else {
                    a[row + prefix] += 0.5f;
                }
            }
            double[][] d = AttentionDistance.batchSums(m.create(a, new Shape(1, 1, 2, t, t)), prefix, rows, cols);
            assertEquals(0.0, d[0][0], 1e-6);
            // columns 0 and 2 look two columns away (distance 2), column 1 one column right (distance 1)
            assertEquals((2 + 1 + 2) / 3.0, d[0][1], 1e-6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionDistance.batchSums(m.create(a, new Shape(1, 1, 2, t, t)), 0, rows, cols));
            assertEquals("attention maps (1, 1, 2, 7, 7) do not have 0 + 2x3 tokens", e.getMessage());
        }
    }

    /** A model whose queries are zero: every score 0, every head's attention uniform over all tokens. */
    private static VitModel uniform(ViTConfig config) throws IOException {
        VitModel model = TestModels.create(config, 5);
        int d = config.architecture().width();
        try (NDManager m = model.newManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
                NDArray v = e.getValue().getArray().duplicate();
                if (e.getKey().endsWith("attn.qkv.weight") || e.getKey().endsWith("attn.qkv.bias")) {
                    float[] f = v.toFloatArray();
                    int per = (int) (v.getShape().size() / (3L * d)); // D values per row of the weight, 1 of the bias
                    java.util.Arrays.fill(f, 0, d * per, 0f); // the query rows
                    v = m.create(f, v.getShape());
                }
                w.put(e.getKey(), v);
            }
            model.setWeights(w, "zero queries");
        }
        return model;
    }

    /** Random images in [0, 1] with a label each. */
    private static ImageDataset noise(int count, int channels, int size) {
        return new ImageDataset() {
            @Override
            public int size() {
                return count;
            }

            @Override
            public List<String> labels() {
                return List.of("a");
            }

            @Override
            public int label(int index) {
                return 0;
            }

            @Override
            public Pixels pixels(int index) {
                Random r = new Random(index);
                float[] x = new float[channels * size * size];
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextFloat();
                }
                return new Pixels(x, channels, size, size);
            }

            @Override
            public String describe() {
                return "noise";
            }
        };
    }

    @Test
    void uniformAttentionGivesTheGridsMeanDistance() throws IOException {
        // 4x4 grid with a class token and 2 registers; 2x2 grid without prefix tokens
        ViTConfig withPrefix = ConfigCases.base().optRegisterTokens(2).build();
        ViTConfig small = ConfigCases.base().setImageSize(16, 16).optClassToken(false).optPooling(Pooling.AVG).build();
        for (ViTConfig c : List.of(withPrefix, small)) {
            int g = c.architecture().grid().rows();
            for (ForwardEngine engine : ForwardEngine.values()) {
                for (ShuffleGrid scramble : new ShuffleGrid[] {null, new ShuffleGrid(2, 2)}) {
                    try (VitModel model = uniform(c); InferenceForward f = InferenceForward.of(model, engine, Precision.FP32)) {
                        AttentionDistance.Result r = AttentionDistance.measure(f, c.preprocessor(),
                                noise(5, 3, c.architecture().imageHeight()), 2, scramble, 1, null);
                        assertEquals(5, r.images());
                        assertEquals(c.architecture().depth(), r.layers());
                        assertEquals(c.architecture().heads(), r.heads());
                        for (double[] layer : r.distance()) {
                            for (double v : layer) {
                                assertEquals(gridMean(g, g), v, 1e-5, g + "x" + g + " " + engine + " " + scramble);
                            }
                        }
                    }
                }
            }
        }
        assertEquals((2 + Math.sqrt(2)) / 4, gridMean(2, 2), 1e-12);
    }

    @Test
    void aTrainedLikeModelIsNotUniform() throws IOException {
        ViTConfig c = ConfigCases.base().build();
        try (VitModel model = TestModels.create(c, 5);
                InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32)) {
            AttentionDistance.Result r = AttentionDistance.measure(f, c.preprocessor(), noise(3, 3, 32), 4, null, 0, null);
            double spread = 0;
            for (double[] layer : r.distance()) {
                for (double v : layer) {
                    spread = Math.max(spread, Math.abs(v - gridMean(4, 4)));
                }
            }
            assertTrue(spread > 1e-2, "random weights gave the uniform distance everywhere: " + spread);
        }
    }
}
