package org.vit4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.vit4j.compiled.CompiledTrainStep;
import org.vit4j.compiled.Precision;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

class ScratchProfileTest {
    @Test
    void profile() throws Exception {
        String prec = System.getProperty("prec", "FP32");
        boolean eager = Boolean.getBoolean("eager");
        ViTConfig config = Variant.FASHION_SMALL.toBuilder().optPooling(Pooling.AVG).build();
        try (VitModel model = TestModels.create(config, 7);
                CompiledTrainStep step = CompiledTrainStep.compile(model.getBlock(),
                        new Precision.Choice(Precision.valueOf(prec), "x"), model.getModel().getNDManager())) {
            AdamW opt = new AdamW(model.getBlock().namedParameters(), model.getModel().getNDManager(), 0.05);
            Engine engine = Engine.getEngine("PyTorch");
            long[] t = new long[3];
            int n = 8;
            for (int i = 0; i < n; i++) {
                if (i == 3) {
                    JniUtils.startProfile(false, false, false);
                    t = new long[3];
                }
                try (NDScope scope = new NDScope(); NDManager m = model.newManager()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = TestModels.images(m, i, new Shape(128, 1, 128, 128));
                    NDArray y = m.ones(new Shape(128, 10)).div(10);
                    long a = System.nanoTime();
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray l;
                        if (eager) {
                            NDArray logits = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), true).get(0);
                            l = logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean();
                        } else {
                            l = step.loss(x, y).get(0);
                        }
                        gc.backward(l);
                        l.getFloat();
                    }
                    long b = System.nanoTime();
                    double norm = opt.gradNorm();
                    long c = System.nanoTime();
                    opt.step(1e-3, 1.0 / Math.max(1, norm));
                    long d = System.nanoTime();
                    t[0] += b - a; t[1] += c - b; t[2] += d - c;
                }
            }
            JniUtils.stopProfile("/tmp/scratch/trace-" + prec + (eager ? "-eager" : "") + ".json");
            double tot = t[0] + t[1] + t[2];
            System.out.printf("SHARES fwd+bwd %.1f%% gradNorm %.1f%% adamw %.1f%% (per step %.1f ms, loaded machine)%n",
                    100 * t[0] / tot, 100 * t[1] / tot, 100 * t[2] / tot, tot / 5 / 1e6);
        }
    }
}
