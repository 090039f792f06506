package org.vit4j.compiled;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vit4j.model.Architecture;
import org.vit4j.model.Pooling;
import org.vit4j.model.Preprocessing;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.VisionTransformer;
import org.vit4j.patch.PatchGrid;
import org.vit4j.position.PositionEmbedding;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.RotaryEmbedding;

/**
 * A {@link VisionTransformer}'s inference forward: the {@link VitProgram} on its inference route,
 * run by DJL's PyTorch engine: the same arithmetic as the eager
 * blocks, with fused attention ({@code torch.scaled_dot_product_attention}) and optionally
 * bfloat16 matrix products ({@link Precision}). Every config vit4j builds or imports compiles
 * ({@link #supports}): every pooling, class and register tokens, fc-norm, qkv bias with or without
 * its key part, every absolute position embedding, every rotary kind with or without an absolute
 * table, LayerScale.
 *
 * <ul>
 *   <li>Input: images {@code (B, C, H, W)}, float32, normalized, H and W multiples of P, on the
 *       model's device (a PyTorch-engine array).
 *   <li>Weights: the network's own arrays, handed to the program once ({@code load_weights}), which
 *       prepares them there (a qkv bias without key part, LayerScale and half-layout rotary pairs
 *       carried into the weights; in bf16 bfloat16 copies of the linear weights) and packs them.
 *   <li>Position table: {@code (c + N, D)} computed for each grid by the eager {@link
 *       PositionEmbedding} (so every absolute kind, recomputed or resampled, is the eager one) and
 *       passed as a tensor; the program does not know the kind. Cached per grid.
 *   <li>Rotary tables: {@code cos, sin (L, Hh, T, hd/2)} computed for each grid by the eager {@link
 *       RotaryEmbedding} (fixed kinds: one table, {@code L = Hh = 1}; rope-mixed: one per block and
 *       head from its learned frequencies), passed as tensors and applied to the patch tokens' {@code
 *       q} and {@code k} in every block before the fused attention ({@link VitProgram#rotation}).
 *       Cached per grid.
 *   <li>Output: {@link #forward} {@code NDList(logits (B, K), pooled (B, D))}, {@link #pooled}
 *       {@code (B, D)}, {@link #encoded} and {@link #embed} {@code (B, c + R + N, D)}, all float32,
 *       in the images' manager.
 * </ul>
 *
 * <p>A config with an option the program does not implement (one added to {@link ViTConfig} later)
 * is refused by {@link #unsupported}, and callers ({@link InferenceForward}) fall back to the eager
 * blocks. Safe for concurrent calls once built (the program is not changed after loading). The JIT
 * profiles the first calls at a shape: two warm-up passes at the configured size run at load time.
 */
public final class CompiledVit implements AutoCloseable {

    private final VisionTransformer network;
    private final Precision.Choice precision;
    private final LinearKernel.Choice kernel;
    private final VitProgram program;
    private final PtSymbolBlock module;

    private CompiledVit(VisionTransformer network, Precision.Choice precision, LinearKernel.Choice kernel,
            NDManager parent) {
        this.network = network;
        this.precision = precision;
        this.kernel = kernel;
        this.program = VitProgram.load(network, precision, false, parent);
        this.module = program.module();
    }

    /**
     * Compiles an initialized network's inference forward and hands it the weights, with the
     * linear kernel {@link LinearKernel#AUTO} chooses for this CPU ({@code aten} on a GPU).
     *
     * @param network the network with its weights (not owned: keep it open while this is used)
     * @param precision {@code FP32} or {@code BF16}, already resolved
     * @param manager parent of the program's own manager (the model's)
     * @return the compiled forward, for the caller to close
     * @throws IllegalArgumentException if {@link #supports} refuses the config, or the network
     *     has parameters the program does not know, naming them
     */
    public static CompiledVit compile(VisionTransformer network, Precision.Choice precision, NDManager manager) {
        boolean gpu = network.namedParameters().values().stream().anyMatch(p -> p.getArray().getDevice().isGpu());
        LinearKernel.Choice kernel = gpu
                ? new LinearKernel.Choice(LinearKernel.ATEN, "GPU: aten::linear (cuBLAS)")
                : LinearKernel.AUTO.resolve(precision.precision(), CpuFeatures.current());
        return compile(network, precision, kernel, manager);
    }

    /**
     * Compiles an initialized network's inference forward with a chosen linear kernel and hands it
     * the weights (packed for {@code onednn}).
     *
     * @param network the network with its weights (not owned: keep it open while this is used)
     * @param precision {@code FP32} or {@code BF16}, already resolved
     * @param kernel {@code ONEDNN} or {@code ATEN}, already resolved ({@link LinearKernel#resolve})
     * @param manager parent of the program's own manager (the model's)
     * @return the compiled forward, for the caller to close
     * @throws IllegalArgumentException if {@link #supports} refuses the config, or the network
     *     has parameters the program does not know, naming them
     */
    public static CompiledVit compile(VisionTransformer network, Precision.Choice precision,
            LinearKernel.Choice kernel, NDManager manager) {
        if (kernel.kernel() == LinearKernel.AUTO) {
            throw new IllegalArgumentException("resolve linear kernel auto before compiling (LinearKernel.resolve)");
        }
        CompiledVit c = new CompiledVit(network, precision, kernel, manager);
        try {
            c.loadWeights();
            c.warmUp();
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Whether the compiled program computes this config's forward ({@link VitProgram#unsupported}).
     *
     * @param config the config
     * @return true if {@link #compile} accepts it
     */
    public static boolean supports(ViTConfig config) {
        return unsupported(config) == null;
    }

    /**
     * Why a config does not compile ({@link VitProgram#unsupported}).
     *
     * @param config the config
     * @return the reason, or null if it is supported
     */
    public static String unsupported(ViTConfig config) {
        return VitProgram.unsupported(config);
    }

    /**
     * Hands the network's weights to the program, which prepares and packs them once. The position
     * table and rope-mixed's frequencies stay out (absent): they reach the program as the per-grid
     * tables of {@link VitProgram#positionTable} and {@link VitProgram#rotation}.
     */
    private void loadWeights() {
        ViTConfig config = network.getConfig();
        List<String> names = VitProgram.weightNames(config);
        Map<String, Parameter> params = network.namedParameters();
        PtNDArray[] list = new PtNDArray[names.size()];
        for (int i = 0; i < list.length; i++) {
            String n = names.get(i);
            boolean perGrid = "pos_embed.table".equals(n) || "rope.freqs".equals(n);
            list[i] = (PtNDArray) (n == null || perGrid ? VitProgram.absent(config, i, program.manager())
                    : params.get(n).getArray());
        }
        try (IValue ws = IValue.listFrom(list);
                IValue packed = IValue.from(kernel.kernel() == LinearKernel.ONEDNN);
                IValue n = IValueUtils.runMethod(module, "load_weights", ws, packed)) {
            if (n.toLong() != list.length) {
                throw new IllegalStateException("load_weights took " + n.toLong() + " tensors of " + list.length);
            }
        }
    }

    private void warmUp() {
        Architecture a = network.getConfig().architecture();
        try (NDManager m = program.manager().newSubManager()) {
            NDArray x = m.zeros(new Shape(1, a.channels(), a.imageHeight(), a.imageWidth()));
            for (int i = 0; i < 2; i++) {
                forward(x);
            }
        }
    }

    /** @return the precision the program runs in, with the reason */
    public Precision.Choice getPrecision() {
        return precision;
    }

    /** @return the linear kernel requested for the program, with the reason (per layer: {@link #linearKernels}) */
    public LinearKernel.Choice getLinearKernel() {
        return kernel;
    }

    /**
     * What multiplies each linear layer: {@code onednn-packed} (a weight packed at load, {@code
     * mkldnn::_linear_pointwise}) or {@code aten} ({@code aten::linear}: requested, or a packed
     * layout that failed the program's load-time check).
     *
     * @return weight name (as {@link VisionTransformer#namedParameters()}) to kernel, in program order
     */
    public Map<String, String> linearKernels() {
        List<String> linear = new ArrayList<>();
        for (String n : VitProgram.weightNames(network.getConfig())) {
            if (n != null && n.endsWith("weight") && !n.contains("norm")) { // the program's linear(): same order
                linear.add(n);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        try (IValue v = IValueUtils.runMethod(module, "linear_kernels")) {
            IValue[] kinds = v.toIValueArray();
            try {
                if (kinds.length != linear.size()) {
                    throw new IllegalStateException("linear_kernels named " + kinds.length + " layers of " + linear.size());
                }
                for (int i = 0; i < kinds.length; i++) {
                    out.put(linear.get(i), kinds[i].toStringValue());
                }
            } finally {
                for (IValue k : kinds) {
                    k.close();
                }
            }
        }
        return out;
    }

    /**
     * One line for {@code bench} and {@code info}: how many linear layers run packed in oneDNN, and
     * which do not.
     *
     * @return e.g. {@code onednn (auto: fp32 and CPU has avx2 and fma): 50 of 50 layers packed}
     */
    public String describeLinearKernels() {
        Map<String, String> k = linearKernels();
        List<String> plain = new ArrayList<>();
        k.forEach((name, kind) -> {
            if (!kind.equals("onednn-packed")) {
                plain.add(name);
            }
        });
        String s = kernel + ": " + (k.size() - plain.size()) + " of " + k.size() + " layers packed";
        if (kernel.kernel() == LinearKernel.ONEDNN && !plain.isEmpty()) {
            s += "; aten::linear (packed layout failed the load-time check) for " + String.join(", ", plain);
        }
        return s;
    }

    /**
     * Logits and pooled embedding.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code NDList(logits (B, K), pooled (B, D))} in the images' manager
     */
    public NDList forward(NDArray images) {
        PtNDManager owner = owner(images);
        try (IValue out = run("forward", images)) {
            IValue[] pair = out.toIValueTuple();
            try {
                return new NDList(pair[0].toTensor(owner), pair[1].toTensor(owner));
            } finally {
                for (IValue v : pair) {
                    v.close();
                }
            }
        }
    }

    /**
     * The pooled embedding the head reads (the head is not run).
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, D)} in the images' manager
     */
    public NDArray pooled(NDArray images) {
        try (IValue out = run("pooled", images)) {
            return out.toTensor(owner(images));
        }
    }

    /**
     * Patch tokens with the position embedding, class and register tokens, before the encoder
     * ({@link VisionTransformer#embed}).
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, c + R + N, D)} in the images' manager
     */
    public NDArray embed(NDArray images) {
        try (IValue out = run("embed", images)) {
            return out.toTensor(owner(images));
        }
    }

    /**
     * The encoded tokens: every token after the encoder blocks and, unless it follows pooling, the
     * final norm (timm's {@code forward_features}; {@link VisionTransformer#forwardEncoded}).
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, c + R + N, D)} in the images' manager
     */
    public NDArray encoded(NDArray images) {
        try (IValue out = run("encoded", images)) {
            return out.toTensor(owner(images));
        }
    }

    /**
     * The attention probabilities of every block and head ({@code attention_maps} of the program):
     * each block's {@code softmax(q·kᵀ / sqrt(hd))} computed explicitly in float32 from the q and k
     * the block uses (rotated), while the blocks run as {@link #encoded} runs them. Only for an fp32
     * program: a bf16 one's products are not the fp32 network's.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (L, B, H, T, T)} in the images' manager, {@code T = c + R + N}
     * @throws IllegalStateException if the program runs in bf16
     */
    public NDArray attentionMaps(NDArray images) {
        if (precision.precision() != Precision.FP32) {
            throw new IllegalStateException("attention maps are computed by an fp32 program; this one runs "
                    + precision.precision().cliName());
        }
        try (IValue out = run("attention_maps", images)) {
            return out.toTensor(owner(images));
        }
    }

    private static PtNDManager owner(NDArray images) {
        if (!(images.getManager() instanceof PtNDManager m)) {
            throw new IllegalArgumentException("the compiled forward needs PyTorch-engine arrays, got "
                    + images.getManager().getClass().getSimpleName());
        }
        return m;
    }

    private IValue run(String method, NDArray images) {
        Architecture a = network.getConfig().architecture();
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != a.channels() || images.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("model expects float32 images (B, " + a.channels()
                    + ", H, W), got " + images.getDataType() + " " + s);
        }
        owner(images);
        PatchGrid grid = PatchGrid.of((int) s.get(2), (int) s.get(3), a.patchSize());
        try (IValue x = IValue.from((PtNDArray) images);
                IValue p = IValue.from((PtNDArray) program.positionTable(grid, program.manager()))) {
            if (method.equals("embed")) {
                return IValueUtils.runMethod(module, method, x, p);
            }
            NDArray[] r = program.rotation(grid);
            try (IValue cos = IValue.from((PtNDArray) r[0]); IValue sin = IValue.from((PtNDArray) r[1])) {
                return IValueUtils.runMethod(module, method, x, p, cos, sin);
            }
        }
    }

    @Override
    public void close() {
        program.close();
    }
}
