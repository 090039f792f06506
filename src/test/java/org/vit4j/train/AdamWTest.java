package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vit4j.Offline;

/** {@link AdamW} against the formula, step by step, on toy parameters. */
class AdamWTest {

    private NDManager manager;

    @BeforeEach
    void start() {
        Offline.ensure();
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    private Parameter param(String name, float[] values, Shape shape) {
        NDArray a = manager.create(values, shape);
        a.setRequiresGradient(true);
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optArray(a).build();
    }

    /** Sets the gradient of every parameter to {@code grads[name]} by backpropagating Σ g·w. */
    private static void backward(Map<String, Parameter> params, Map<String, float[]> grads) {
        try (NDManager m = params.values().iterator().next().getArray().getManager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray w = e.getValue().getArray();
                NDArray term = w.mul(m.create(grads.get(e.getKey()), w.getShape())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    /** The formula of the Javadoc in double precision. */
    private static final class Reference {
        double m;
        double v;
        double w;
        int t;

        Reference(double w) {
            this.w = w;
        }

        void step(double g, double lr, double decay) {
            t++;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            double mhat = m / (1 - Math.pow(0.9, t));
            double vhat = v / (1 - Math.pow(0.999, t));
            w = w - lr * (mhat / (Math.sqrt(vhat) + 1e-8) + decay * w);
        }
    }

    @Test
    void threeStepsMatchTheFormulaAndOnlyMatricesDecay() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("blocks.0.attn.qkv.weight", param("weight", new float[] {0.5f, -1f, 2f, 0.25f}, new Shape(2, 2)));
        params.put("blocks.0.attn.qkv.bias", param("bias", new float[] {0.5f, -1f}, new Shape(2)));
        params.put("cls_token", param("cls_token", new float[] {0.5f, -1f}, new Shape(1, 2)));
        params.put("pos_embed.table", param("table", new float[] {0.5f, -1f, 2f, 0.25f}, new Shape(2, 2)));
        double lambda = 0.1;
        AdamW opt = new AdamW(params, manager, lambda);
        double[][] gradients = {{0.3, -2.0, 0.01, 1.0}, {-0.1, 0.5, 0.02, 1.0}, {0.4, 0.0, -0.03, 1.0}};
        double[] lrs = {0.1, 0.05, 0.01};
        Map<String, Reference[]> ref = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            float[] w = e.getValue().getArray().toFloatArray();
            Reference[] r = new Reference[w.length];
            for (int i = 0; i < w.length; i++) {
                r[i] = new Reference(w[i]);
            }
            ref.put(e.getKey(), r);
        }
        for (int step = 0; step < 3; step++) {
            Map<String, float[]> grads = new LinkedHashMap<>();
            for (Map.Entry<String, Reference[]> e : ref.entrySet()) {
                float[] g = new float[e.getValue().length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) gradients[step][i];
                }
                grads.put(e.getKey(), g);
                boolean decays = e.getKey().equals("blocks.0.attn.qkv.weight");
                for (int i = 0; i < g.length; i++) {
                    e.getValue()[i].step(g[i], lrs[step], decays ? lambda : 0);
                }
            }
            backward(params, grads);
            opt.step(lrs[step], 1.0);
            assertEquals(step + 1, opt.steps());
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                float[] got = e.getValue().getArray().toFloatArray();
                Reference[] r = ref.get(e.getKey());
                for (int i = 0; i < got.length; i++) {
                    assertEquals(r[i].w, got[i], 1e-6, e.getKey() + "[" + i + "] after step " + (step + 1));
                }
                // gradients are zeroed after the step
                assertEquals(0f, e.getValue().getArray().getGradient().abs().sum().getFloat());
            }
        }
        // the first step moved each element by lr (Adam's normalized step) plus decay, by hand:
        // w = 0.5, g = 0.3: 0.5 - 0.1 * (1 + 0.1 * 0.5) = 0.395 before steps 2 and 3
        Reference first = new Reference(0.5);
        first.step(0.3, 0.1, 0.1);
        assertEquals(0.395, first.w, 1e-7);
        assertTrue(AdamW.decays("blocks.0.attn.qkv.weight", params.get("blocks.0.attn.qkv.weight").getArray()));
        assertFalse(AdamW.decays("blocks.0.attn.qkv.bias", params.get("blocks.0.attn.qkv.bias").getArray()));
        assertFalse(AdamW.decays("cls_token", params.get("cls_token").getArray()));
        assertFalse(AdamW.decays("pos_embed.table", params.get("pos_embed.table").getArray()));
    }

    @Test
    void gradNormIsTheGlobalL2Norm() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("a.weight", param("weight", new float[] {1, 1, 1, 1}, new Shape(2, 2)));
        params.put("a.bias", param("bias", new float[] {1}, new Shape(1)));
        backward(params, Map.of("a.weight", new float[] {1, 2, 2, 0}, "a.bias", new float[] {4}));
        assertEquals(5.0, new AdamW(params, manager, 0).gradNorm(), 1e-6); // sqrt(1 + 4 + 4 + 16)
    }

    @Test
    void savedStateContinuesTheSameRun() throws IOException {
        Map<String, Parameter> a = new LinkedHashMap<>();
        a.put("w.weight", param("weight", new float[] {0.5f, -1f, 2f, 0.25f}, new Shape(2, 2)));
        Map<String, Parameter> b = new LinkedHashMap<>();
        b.put("w.weight", param("weight", new float[] {0.5f, -1f, 2f, 0.25f}, new Shape(2, 2)));
        AdamW optA = new AdamW(a, manager, 0.05);
        AdamW optB = new AdamW(b, manager, 0.05);
        backward(a, Map.of("w.weight", new float[] {0.3f, -2f, 0.01f, 1f}));
        optA.step(0.1, 1.0);
        // b takes the same first step through a save / load of a's state and weights
        b.get("w.weight").getArray().set(a.get("w.weight").getArray().toFloatArray());
        optB.loadState(optA.stateAsSafetensors(manager), manager, "test");
        assertEquals(1, optB.steps());
        for (Map<String, Parameter> p : java.util.List.of(a, b)) {
            backward(p, Map.of("w.weight", new float[] {-0.1f, 0.5f, 0.02f, 1f}));
        }
        optA.step(0.05, 1.0);
        optB.step(0.05, 1.0);
        assertArrayEquals(a.get("w.weight").getArray().toFloatArray(), b.get("w.weight").getArray().toFloatArray());
        // state for other parameter names is refused
        Map<String, Parameter> c = new LinkedHashMap<>();
        c.put("w.weight", param("weight", new float[] {0.5f, -1f, 2f, 0.25f}, new Shape(2, 2)));
        IOException e = assertThrows(IOException.class,
                () -> new AdamW(Map.of("other.weight", c.get("w.weight")), manager, 0)
                        .loadState(optA.stateAsSafetensors(manager), manager, "ckpt"));
        assertEquals("ckpt: optimizer state for other.weight is missing or mis-shaped", e.getMessage());
    }
}
