package org.vit4j.compiled;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.vit4j.model.Architecture;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VisionTransformer;
import org.vit4j.position.RopeLayout;

/**
 * The tensors the compiled program reads, in the order of {@link CompiledVit#weightNames}, made
 * from a network's parameters. Most are the parameter arrays themselves; three options of the eager
 * blocks are carried into the weights instead of into the program, so that {@code vit_forward.py}
 * has one encoder block for every model:
 *
 * <ul>
 *   <li>A qkv bias without its key part (timm {@code Eva}: {@code q_bias}, {@code v_bias}): the key
 *       third of {@code attn.qkv.bias (3D)} is set to zero (the eager block subtracts it).
 *   <li>LayerScale: {@code ls1.gamma (D)} is folded into {@code attn.proj} and {@code ls2.gamma} into
 *       {@code mlp.fc2}, {@code gamma·(W x + b) = (diag(gamma) W) x + gamma·b}, so the residual add
 *       stays a plain add after the linear layer (fusable into its epilogue).
 *   <li>Rotary pairs in the half layout: within each head, the query and key rows of {@code
 *       attn.qkv.weight (3D, D)} and {@code attn.qkv.bias} are permuted from pairs {@code (p, p +
 *       hd/2)} to {@code (2p, 2p+1)} ({@link #toInterleavedLayout}), and the cos/sin tables are read
 *       per pair: the program always rotates adjacent pairs, as one complex product. Permuting the
 *       dimensions of both q and k alike leaves every {@code q·k} unchanged; {@code v} keeps its
 *       order.
 * </ul>
 *
 * Absent tensors are empty ({@code (0, D)} class or register token) or zero (a missing qkv bias:
 * adding 0 is exact). Arrays made here belong to the given manager; they are copies taken at
 * compile time, so a program compiled before the network's weights change keeps the old ones.
 */
final class ProgramWeights {

    private ProgramWeights() {}

    /**
     * The weight list of a network.
     *
     * @param network the network with its weights
     * @param manager owns the arrays made here (transformed copies, zeros)
     * @return the tensors in {@link CompiledVit#weightNames} order
     * @throws IllegalArgumentException if the network has parameters the program does not read
     */
    static List<PtNDArray> of(VisionTransformer network, NDManager manager) {
        ViTConfig config = network.getConfig();
        Map<String, Parameter> params = network.namedParameters();
        List<String> names = CompiledVit.weightNames(config);
        Set<String> unknown = new TreeSet<>(params.keySet());
        unknown.removeAll(names.stream().filter(Objects::nonNull).toList());
        unknown.remove("pos_embed.table"); // reaches the program as the per-grid position table
        unknown.remove("rope.freqs"); // reaches it as the per-grid cos/sin tables
        for (int i = 0; i < config.architecture().depth(); i++) {
            unknown.remove("blocks." + i + ".ls1.gamma"); // folded into attn.proj
            unknown.remove("blocks." + i + ".ls2.gamma"); // folded into mlp.fc2
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the compiled forward does not know the parameters " + unknown);
        }
        long d = config.architecture().width();
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            List<PtNDArray> list = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                NDArray a;
                if (n == null) {
                    a = i == 2 || i == 3 ? manager.zeros(new Shape(0, d)) : manager.zeros(new Shape(3 * d));
                } else {
                    a = prepared(n, params, config, manager);
                }
                list.add((PtNDArray) a);
            }
            return list;
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** One parameter as the program reads it: the array itself, or a transformed copy in {@code manager}. */
    private static NDArray prepared(String name, Map<String, Parameter> params, ViTConfig config, NDManager manager) {
        Architecture arch = config.architecture();
        NDArray a = params.get(name).getArray();
        boolean keyBiasLess = name.endsWith(".attn.qkv.bias") && !arch.keyBias();
        boolean halfLayout = name.contains(".attn.qkv.") && arch.rope().isRope()
                && arch.ropeLayout() == RopeLayout.HALF;
        boolean scaled = arch.layerScale() > 0 && (name.contains(".attn.proj.") || name.contains(".mlp.fc2."));
        if (!keyBiasLess && !halfLayout && !scaled) {
            return a;
        }
        long d = arch.width();
        try (NDManager tmp = manager.newSubManager()) {
            NDArray out = local(a, tmp);
            if (keyBiasLess) {
                NDArray keep = tmp.create(new float[] {1, 0, 1}, new Shape(3, 1)); // q, k, v thirds
                out = out.reshape(3, d).mul(keep).reshape(3 * d); // (3D), k third zero
            }
            if (halfLayout) {
                out = qkToInterleavedLayout(out, config);
            }
            if (scaled) {
                String block = name.substring(0, name.indexOf(name.contains(".attn.") ? "attn." : "mlp."));
                NDArray g = local(params.get(block + (name.contains(".attn.") ? "ls1" : "ls2") + ".gamma")
                        .getArray(), tmp); // (D)
                out = out.getShape().dimension() == 2 ? out.mul(g.reshape(d, 1)) : out.mul(g); // rows scaled
            }
            out.attach(manager);
            return out;
        }
    }

    /** A copy of a parameter in a scratch manager: what is computed from it stays there, not in the model's. */
    private static NDArray local(NDArray a, NDManager tmp) {
        NDArray copy = a.duplicate();
        copy.attach(tmp);
        return copy;
    }

    /**
     * The qkv projection's query and key rows (or bias entries) permuted within each head from
     * halves to the interleaved pair layout; the value rows unchanged.
     *
     * @param qkv {@code (3D, in)} weight or {@code (3D)} bias, rows q | k | v, head-major
     * @param config the config (heads, width)
     * @return the same shape
     */
    private static NDArray qkToInterleavedLayout(NDArray qkv, ViTConfig config) {
        Shape s = qkv.getShape();
        long d = config.architecture().width();
        long in = s.dimension() == 2 ? s.get(1) : 1;
        long hd = d / config.architecture().heads();
        NDArray rows = qkv.reshape(3, d, in); // (3, D, in)
        NDArray qk = toInterleavedLayout(rows.get("0:2").transpose(0, 2, 1), hd).transpose(0, 2, 1); // (2, D, in)
        return qk.concat(rows.get("2:3"), 0).reshape(s);
    }

    /**
     * Permutes the last axis {@code (..., H·hd)} or {@code (..., hd)} from halves {@code (p, p +
     * hd/2)} to interleaved rotation pairs {@code (2p, 2p+1)} in every head of width {@code hd}: new
     * position {@code 2p} takes old {@code p}, new {@code 2p + 1} takes old {@code p + hd/2}
     * ({@link RopeLayout#halfToInterleaved}).
     *
     * @param x {@code (..., H·hd)}
     * @param headDim {@code hd}
     * @return the same shape
     */
    static NDArray toInterleavedLayout(NDArray x, long headDim) {
        Shape s = x.getShape();
        int r = s.dimension();
        long[] split = new long[r + 2];
        System.arraycopy(s.getShape(), 0, split, 0, r - 1);
        split[r - 1] = s.get(r - 1) / headDim; // heads
        split[r] = 2; // the two halves
        split[r + 1] = headDim / 2; // pairs
        return x.reshape(new Shape(split)).swapAxes(r, r + 1).reshape(s);
    }
}
