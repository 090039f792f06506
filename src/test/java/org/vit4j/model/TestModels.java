package org.vit4j.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * Test helpers: models with seeded weights of a useful magnitude, seeded images, comparisons.
 *
 * <p>Freshly initialized models have tokens of std 1e-6 and weights of std 0.02, so their outputs
 * hardly depend on anything; equivalence tests on them would pass for wrong code. {@link
 * #randomize} gives every parameter O(1) influence.
 */
public final class TestModels {

    private TestModels() {}

    /** @return {@code numClasses} labels {@code c0, c1, ...} */
    public static List<String> labels(int numClasses) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < numClasses; i++) {
            l.add("c" + i);
        }
        return l;
    }

    /**
     * A CPU model of a config with {@link #randomize randomized} weights.
     *
     * @param config config
     * @param seed weight seed
     * @return the model, for the caller to close
     * @throws IOException never (weights always fit)
     */
    public static VitModel create(ViTConfig config, long seed) throws IOException {
        VitModel model = VitModel.create(config, labels(config.architecture().numClasses()), Device.cpu(), seed);
        randomize(model, seed);
        return model;
    }

    /**
     * Sets every parameter from a seeded generator: matrices {@code N(0, 1/fan_in)}, tokens and
     * position tables {@code N(0, 1)}, LayerNorm gamma {@code 1 + N(0, 0.1²)}, other vectors
     * {@code N(0, 0.1²)}.
     *
     * @param model the model
     * @param seed seed
     * @throws IOException never (weights always fit)
     */
    public static void randomize(VitModel model, long seed) throws IOException {
        Random r = new Random(seed);
        try (NDManager m = model.newManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
                String name = e.getKey();
                Shape s = e.getValue().getArray().getShape();
                float[] v = new float[(int) s.size()];
                boolean matrix = name.endsWith(".weight") && s.dimension() == 2;
                boolean token = name.endsWith("_token") || name.startsWith("pos_embed.");
                double std = matrix ? 1 / Math.sqrt(s.get(1)) : token ? 1 : 0.1;
                double mean = name.endsWith(".gamma") ? 1 : 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (mean + std * r.nextGaussian());
                }
                w.put(name, m.create(v, s));
            }
            model.setWeights(w, "randomize");
        }
    }

    /**
     * Seeded standard normal images.
     *
     * @param m manager
     * @param seed seed
     * @param shape {@code (B, C, H, W)}
     * @return the images
     */
    public static NDArray images(NDManager m, long seed, Shape shape) {
        Random r = new Random(seed);
        float[] x = new float[(int) shape.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return m.create(x, shape);
    }

    /** @return {@code max |a - b|}, or +inf if the lengths differ */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst;
    }

    /** @return whether every value is finite */
    public static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * 32x32 RGB, 8 px patches (a 4x4 grid), width 32, depth 2, 4 heads (head width 8), MLP ratio 2,
     * 5 classes.
     *
     * @return a builder of that model
     */
    public static ViTConfigBuilder smallBuilder() {
        return ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3)
                .setWidth(32).setDepth(2).setHeads(4).optMlpRatio(2).setNumClasses(5);
    }

    /**
     * One small configuration per architecture option the eager blocks support (every pooling,
     * class and register tokens, fc-norm, qkv bias with and without its key part, LayerScale, every
     * absolute and rotary position embedding, alone and together, a grey non-square input), named
     * for parameterized tests: the compiled programs must agree with the eager blocks on each.
     *
     * @return {@code (name, config)} pairs
     */
    public static Stream<Arguments> architectures() {
        return ConfigCases.arguments();
    }
}
