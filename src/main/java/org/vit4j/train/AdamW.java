package org.vit4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter 2019): Adam with weight decay decoupled from the gradient,
 *
 * <pre>
 *   m = β1·m + (1-β1)·g;   v = β2·v + (1-β2)·g²
 *   w = w - lr·( m/(1-β1^t) / (sqrt(v/(1-β2^t)) + ε) + λ·w )
 * </pre>
 *
 * with {@code λ = 0} for biases, norms, tokens and position tables (timm's no-weight-decay set: all
 * parameters with fewer than two dimensions, plus tokens and tables). Unlike DJL's optimizer, its
 * moments can be saved and restored, so {@code --resume} continues the exact run.
 */
public final class AdamW {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Parameter> params;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long t;

    /**
     * Creates the optimizer with zero moments.
     *
     * @param params named parameters (their arrays are updated in place)
     * @param manager owns the moment arrays (the model's manager)
     * @param weightDecay λ
     */
    public AdamW(Map<String, Parameter> params, NDManager manager, double weightDecay) {
        this.beta1 = 0.9;
        this.beta2 = 0.999;
        this.eps = 1e-8;
        this.weightDecay = weightDecay;
        this.params = params;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray w = e.getValue().getArray();
            m.put(e.getKey(), manager.zeros(w.getShape(), DataType.FLOAT32, w.getDevice()));
            v.put(e.getKey(), manager.zeros(w.getShape(), DataType.FLOAT32, w.getDevice()));
        }
    }

    /**
     * Whether a parameter is decayed.
     *
     * @param name parameter name
     * @param w its array
     * @return true for weight matrices
     */
    public static boolean decays(String name, NDArray w) {
        return w.getShape().dimension() >= 2
                && !name.endsWith("_token")
                && !name.startsWith("pos_embed.")
                && !name.startsWith("rope."); // timm RotaryEmbeddingMixed.no_weight_decay: freqs
    }

    /**
     * One update with the gradients currently attached to the parameters; then zeroes them.
     * Call inside an {@link ai.djl.ndarray.NDScope} so temporaries are freed.
     *
     * @param lr learning rate of this step
     * @param gradScale factor applied to every gradient first (gradient clipping)
     */
    public void step(double lr, double gradScale) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            NDArray w = e.getValue().getArray();
            NDArray g = w.getGradient();
            NDArray gs = gradScale == 1.0 ? g : g.mul(gradScale);
            NDArray mi = m.get(name);
            NDArray vi = v.get(name);
            mi.muli(beta1).addi(gs.mul(1 - beta1));
            vi.muli(beta2).addi(gs.square().muli(1 - beta2));
            NDArray update = mi.div(bc1).divi(vi.div(bc2).sqrt().addi(eps));
            if (weightDecay > 0 && decays(name, w)) {
                update.addi(w.mul(weightDecay));
            }
            w.subi(update.muli(lr));
            // PyTorch accumulates gradients: zero them for the next step (zero_, which unlike g - g
            // also clears an inf)
            JniUtils.zeroGrad((PtNDArray) w);
        }
    }

    /**
     * The numbers of one update.
     *
     * @param beta1 β1
     * @param beta2 β2
     * @param eps ε
     * @param biasCorrection1 {@code 1 - β1^t}
     * @param biasCorrection2 {@code 1 - β2^t}
     * @param weightDecay λ (of the parameters that {@link #decays})
     */
    public record Constants(double beta1, double beta2, double eps, double biasCorrection1, double biasCorrection2,
            double weightDecay) {}

    /**
     * Counts one update made elsewhere with this optimizer's moments (the compiled training step,
     * which computes {@link #step}'s update in its program) and returns its numbers.
     *
     * @return the constants of update {@code t + 1}
     */
    public Constants advance() {
        t++;
        return new Constants(beta1, beta2, eps, 1 - Math.pow(beta1, t), 1 - Math.pow(beta2, t), weightDecay);
    }

    /**
     * A parameter's moments, for an update made elsewhere ({@link #advance}); updated in place there.
     *
     * @param name the parameter's name
     * @return {@code {m, v}}, float32, the parameter's shape
     * @throws IllegalArgumentException if the optimizer has no such parameter
     */
    public NDArray[] moments(String name) {
        NDArray mi = m.get(name);
        if (mi == null) {
            throw new IllegalArgumentException("the optimizer has no parameter " + name);
        }
        return new NDArray[] {mi, v.get(name)};
    }

    /**
     * The global L2 norm of all gradients.
     *
     * @return {@code sqrt(Σ g²)}
     */
    public double gradNorm() {
        double sum = 0;
        for (Parameter p : params.values()) {
            sum += p.getArray().getGradient().square().sum().getFloat();
        }
        return Math.sqrt(sum);
    }

    /** @return steps taken */
    public long steps() {
        return t;
    }

    /**
     * The moments as a safetensors file ({@code m.NAME}, {@code v.NAME}) plus the step count.
     *
     * @param manager for temporary copies
     * @return file bytes
     */
    public byte[] stateAsSafetensors(NDManager manager) {
        try (NDManager tmp = manager.newSubManager()) {
            NDList list = new NDList();
            for (String name : params.keySet()) {
                list.add(named(tmp, "m." + name, m.get(name)));
                list.add(named(tmp, "v." + name, v.get(name)));
            }
            NDArray step = tmp.create(new long[] {t});
            step.setName("step");
            list.add(step);
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            list.encode(bos, NDList.Encoding.SAFETENSORS);
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
    }

    private static NDArray named(NDManager tmp, String name, NDArray a) {
        NDArray c = tmp.create(a.toFloatArray(), a.getShape());
        c.setName(name);
        return c;
    }

    /**
     * Restores moments and step count.
     *
     * @param bytes what {@link #stateAsSafetensors} wrote
     * @param manager for temporary arrays
     * @param source name for messages
     * @throws IOException if a tensor is missing or mis-shaped
     */
    public void loadState(byte[] bytes, NDManager manager, String source) throws IOException {
        try (NDManager tmp = manager.newSubManager()) {
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray a : NDList.decode(tmp, bytes)) {
                byName.put(a.getName(), a);
            }
            NDArray step = byName.get("step");
            if (step == null) {
                throw new IOException(source + ": optimizer state has no step");
            }
            for (String name : params.keySet()) {
                for (Map.Entry<String, NDArray> kind : Map.of("m", m.get(name), "v", v.get(name)).entrySet()) {
                    NDArray src = byName.get(kind.getKey() + "." + name);
                    if (src == null || !src.getShape().equals(kind.getValue().getShape())) {
                        throw new IOException(
                                source + ": optimizer state for " + name + " is missing or mis-shaped");
                    }
                    // a native copy: NDArray.set(float[]) would leave the moment in a Java direct buffer
                    org.vit4j.model.VitModel.copyInto(kind.getValue(), src.toType(DataType.FLOAT32, false));
                }
            }
            t = step.toLongArray()[0];
        }
    }
}
