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
import java.util.Arrays;
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
 * bfloat16 matrix products or int8 linear layers ({@link Precision}). Every config vit4j builds or imports compiles
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
 * <p>Compiled with {@link BatchParts} above 1, {@link #forward}, {@link #pooled} and {@link #encoded}
 * compute a batch of two or more images in parts at once, one intra-op thread each, on {@link
 * PartsThread}'s thread; a batch of one image runs whole on the calling thread, with its intra-op
 * threads.
 *
 * <p>A config with an option the program does not implement (one added to {@link ViTConfig} later)
 * is refused by {@link #unsupported}, and callers ({@link InferenceForward}) fall back to the eager
 * blocks. Safe for concurrent calls once built (the program is not changed after loading). The JIT
 * profiles the first calls at a shape: two warm-up passes at the configured size run at load time.
 */
public final class CompiledVit implements AutoCloseable {

    /**
     * The linear kernel of an int8 program: every layer is int8, by the int8 route measured fastest
     * for its weight shape ({@link KernelChooser}: {@code int8}, {@code quantized::linear_dynamic},
     * or {@code int8-rows}, {@code aten::_int_mm}); {@code aten::linear} only for a weight shape
     * whose int8 products both fail the load-time check.
     */
    public static final LinearKernel.Choice INT8_FALLBACK = new LinearKernel.Choice(LinearKernel.ATEN,
            "int8: measured per weight shape; aten::linear only where both int8 routes fail the check");

    private final VisionTransformer network;
    private final Precision.Choice precision;
    private final BatchParts.Choice parts;
    private final VitProgram program;
    private final PtSymbolBlock module;
    private KernelRoutes routes;

    private CompiledVit(VisionTransformer network, Precision.Choice precision, BatchParts.Choice parts,
            NDManager parent) {
        this.network = network;
        this.precision = precision;
        this.parts = parts;
        this.program = VitProgram.load(network, precision, false, parent);
        this.module = program.module();
    }

    /**
     * Compiles an initialized network's inference forward and hands it the weights, with the
     * kernels {@code auto} chooses for this CPU at batch 1 ({@link KernelOptions#defaults}; {@code
     * aten} and {@code flash} on a GPU).
     *
     * @param network the network with its weights (not owned: keep it open while this is used)
     * @param precision {@code FP32}, {@code BF16} or {@code INT8}, already resolved
     * @param manager parent of the program's own manager (the model's)
     * @return the compiled forward, for the caller to close
     * @throws IllegalArgumentException if {@link #supports} refuses the config, or the network
     *     has parameters the program does not know, naming them
     */
    public static CompiledVit compile(VisionTransformer network, Precision.Choice precision, NDManager manager) {
        return compile(network, precision, KernelOptions.defaults(), manager);
    }

    private static boolean onGpu(VisionTransformer network) {
        return network.namedParameters().values().stream().anyMatch(p -> p.getArray().getDevice().isGpu());
    }

    /**
     * Compiles an initialized network's inference forward with a chosen linear kernel and hands it
     * the weights (packed for {@code onednn} and {@code mkl}); the other settings are {@link
     * KernelOptions#defaults}'.
     *
     * @param network the network with its weights (not owned: keep it open while this is used)
     * @param precision {@code FP32}, {@code BF16} or {@code INT8} (every linear layer int8 whatever
     *     the kernel), already resolved
     * @param kernel already resolved ({@link LinearKernel#resolve}; {@code AUTO}: measured per shape)
     * @param manager parent of the program's own manager (the model's)
     * @return the compiled forward, for the caller to close
     * @throws IllegalArgumentException if {@link #supports} refuses the config, or the network
     *     has parameters the program does not know, naming them
     */
    public static CompiledVit compile(VisionTransformer network, Precision.Choice precision,
            LinearKernel.Choice kernel, NDManager manager) {
        return compile(network, precision, KernelOptions.builder().optLinear(kernel).build(), manager);
    }

    /**
     * Compiles an initialized network's inference forward with kernel options, computing every
     * batch whole ({@link #compile(VisionTransformer, Precision.Choice, KernelOptions, BatchParts.Choice,
     * NDManager)} with one part).
     *
     * @param network the network with its weights (not owned: keep it open while this is used)
     * @param precision {@code FP32}, {@code BF16} or {@code INT8}, already resolved
     * @param options the kernels and the batch they are chosen for
     * @param manager parent of the program's own manager (the model's)
     * @return the compiled forward, for the caller to close
     * @throws IllegalArgumentException as the full method
     */
    public static CompiledVit compile(VisionTransformer network, Precision.Choice precision, KernelOptions options,
            NDManager manager) {
        return compile(network, precision, options, BatchParts.Choice.ONE, manager);
    }

    /**
     * Compiles an initialized network's inference forward with kernel options: the routes are
     * chosen ({@link KernelChooser}: measured, or read from the cache, where {@code auto} asks),
     * then the program takes the weights, each stored for its layer's route (in int8 the int8
     * route measured fastest for the layer's weight shape). A batch of two or more images is
     * computed in parts at once ({@link BatchParts}); with parts, the first such program of the
     * process starts {@link PartsThread}'s thread and libtorch's inter-op pool, which sets
     * libtorch's process-wide intra-op thread count for a moment and back (threads that first run
     * libtorch in that moment get one).
     *
     * @param network the network with its weights (not owned: keep it open while this is used)
     * @param precision {@code FP32}, {@code BF16} or {@code INT8}, already resolved
     * @param options the kernels and the batch they are chosen for
     * @param parts the most parts a batch is cut into, already resolved ({@link BatchParts#resolve})
     * @param manager parent of the program's own manager (the model's)
     * @return the compiled forward, for the caller to close
     * @throws IllegalArgumentException if {@link #supports} refuses the config, the network has
     *     parameters the program does not know, naming them, or the linear kernel does not run in
     *     the precision ({@link LinearKernel#resolve})
     */
    public static CompiledVit compile(VisionTransformer network, Precision.Choice precision, KernelOptions options,
            BatchParts.Choice parts, NDManager manager) {
        boolean gpu = onGpu(network);
        LinearKernel.Choice kernel = options.linear();
        if (gpu) {
            kernel = new LinearKernel.Choice(LinearKernel.ATEN, "GPU: aten::linear (cuBLAS)");
        } else if (precision.precision() == Precision.INT8) {
            kernel = INT8_FALLBACK;
        } else if (kernel == null || kernel.kernel() == LinearKernel.AUTO && precision.precision() == Precision.BF16) {
            kernel = LinearKernel.AUTO.resolve(precision.precision(), CpuFeatures.current());
        } else if (kernel.kernel() == LinearKernel.MKL && precision.precision() == Precision.BF16) {
            kernel = LinearKernel.MKL.resolve(Precision.BF16, CpuFeatures.current()); // throws: fp32 only
        }
        CompiledVit c = new CompiledVit(network, precision, parts, manager);
        try {
            List<String> linear = VitProgram.linearWeightNames(network.getConfig());
            KernelChooser.Result chosen = new KernelChooser(c.program, precision.precision(), options, System.err)
                    .choose(kernel.kernel(), gpu, linear);
            c.loadWeights(chosen.linear());
            c.routes = new KernelRoutes(precision.precision(), kernel, chosen, c.keptRoutes(linear),
                    network.namedParameters());
            c.warmUp();
            c.warmUpParts();
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
    private void loadWeights(long[] codes) {
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
                IValue routes = IValue.listFrom(codes);
                IValue n = IValueUtils.runMethod(module, "load_weights", ws, routes)) {
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

    /**
     * With parts: starts the parts' thread (once per process) with a parted pass, then runs the
     * JIT's two profiling passes of the parted method there.
     */
    private void warmUpParts() {
        if (parts.max() < 2) {
            return;
        }
        Architecture a = network.getConfig().architecture();
        try (NDManager m = program.manager().newSubManager()) {
            NDArray x = m.zeros(new Shape(parts.max(), a.channels(), a.imageHeight(), a.imageWidth()));
            PartsThread.start(() -> compute(Output.FORWARD, x, parts.max()).close());
            for (int i = 0; i < 2; i++) {
                PartsThread.call(() -> compute(Output.FORWARD, x, parts.max())).close();
            }
        }
    }

    /** @return the most parts a batch is cut into, with the reason ({@link BatchParts}) */
    public BatchParts.Choice getBatchParts() {
        return parts;
    }

    /**
     * One line for {@code bench} and {@code info}: how batches are computed.
     *
     * @return e.g. {@code 2 parts (auto: 2 intra-op threads, 1 inter-op thread), parts on one thread
     *     each}, or {@code 1 part (1 requested: the whole batch in one pass)}
     */
    public String describeBatchParts() {
        if (parts.max() < 2) {
            return "1 part (" + parts.reason() + ")";
        }
        return parts.max() + " parts (" + parts.reason() + "), " + PartsThread.layout();
    }

    /** @return the precision the program runs in, with the reason */
    public Precision.Choice getPrecision() {
        return precision;
    }

    /**
     * What computes each product: the route each linear layer got, the attention route, and the
     * measurements behind {@code auto}.
     *
     * @return the routes, as loaded
     */
    public KernelRoutes routes() {
        return routes;
    }

    /** The route the program kept for each linear layer (its {@code linear_kernels()}), by weight name. */
    private Map<String, String> keptRoutes(List<String> linear) {
        Map<String, String> out = new LinkedHashMap<>();
        try (IValue v = IValueUtils.runMethod(module, "linear_kernels")) {
            String[] kinds = Arrays.stream(v.toIValueArray()).map(k -> {
                try (k) {
                    return k.toStringValue();
                }
            }).toArray(String[]::new);
            if (kinds.length != linear.size()) {
                throw new IllegalStateException("linear_kernels named " + kinds.length + " layers of " + linear.size());
            }
            for (int i = 0; i < kinds.length; i++) {
                out.put(linear.get(i), kinds[i]);
            }
        }
        return out;
    }

    /**
     * Logits and pooled embedding; a batch of two or more images in {@link #getBatchParts} parts
     * at once, on the parts' thread ({@link PartsThread}).
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code NDList(logits (B, K), pooled (B, D))} in the images' manager
     */
    public NDList forward(NDArray images) {
        return compute(Output.FORWARD, images);
    }

    /**
     * The pooled embedding the head reads (the head is not run); in parts as {@link #forward}.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, D)} in the images' manager
     */
    public NDArray pooled(NDArray images) {
        return compute(Output.POOLED, images).singletonOrThrow();
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
     * final norm (timm's {@code forward_features}; {@link VisionTransformer#forwardEncoded}); in
     * parts as {@link #forward}.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, c + R + N, D)} in the images' manager
     */
    public NDArray encoded(NDArray images) {
        return compute(Output.ENCODED, images).singletonOrThrow();
    }

    /** What a pass returns: the program's method and its code in {@code vit.py}'s {@code outputs}. */
    enum Output {
        /** {@code NDList(logits (B, K), pooled (B, D))} */
        FORWARD("forward", 0),
        /** {@code NDList(pooled (B, D))} */
        POOLED("pooled", 1),
        /** {@code NDList(encoded (B, c + R + N, D))} */
        ENCODED("encoded", 2);

        private final String method;
        private final long code;

        Output(String method, long code) {
            this.method = method;
            this.code = code;
        }
    }

    /** A pass: in {@link #getBatchParts} parts on the parts' thread for a batch of two or more images, else whole here. */
    private NDList compute(Output output, NDArray images) {
        Shape s = images.getShape();
        int p = s.dimension() == 4 ? parts.partsFor(s.get(0)) : 1; // not a batch: run refuses it
        return p > 1 ? PartsThread.call(() -> compute(output, images, p)) : compute(output, images, 1);
    }

    /**
     * A pass computed in {@code parts} consecutive row blocks of the batch at once (rows {@code s B /
     * parts} to {@code (s + 1) B / parts}; the program's {@code parts}): parts 1.. in libtorch's
     * inter-op tasks, part 0 on the calling thread, the results concatenated in order. Each part
     * gets the intra-op threads of the thread it runs on (libtorch keeps the count per thread):
     * called from an ordinary thread, part 0 runs on all of them beside the others ({@link
     * PartsThread} has the layout {@link #forward} uses).
     *
     * @param output what the pass returns
     * @param images {@code (B, C, H, W)}
     * @param parts how many row blocks, 1 to B (1: the unsplit pass)
     * @return the output's arrays in the images' manager
     * @throws IllegalArgumentException if {@code parts} is below 1 or above B
     */
    NDList compute(Output output, NDArray images, int parts) {
        long b = images.getShape().dimension() > 0 ? images.getShape().get(0) : 0;
        if (parts < 1 || parts > Math.max(1, b)) {
            throw new IllegalArgumentException("parts must be 1 to the batch size " + b + ", got " + parts);
        }
        PtNDManager owner = owner(images);
        if (parts == 1) {
            try (IValue out = run(output.method, images)) {
                return out.toNDList(owner);
            }
        }
        try (IValue what = IValue.from(output.code); IValue n = IValue.from((long) parts);
                IValue out = run("parts", images, what, n)) {
            return out.toNDList(owner);
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

    private IValue run(String method, NDArray images, IValue... more) {
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
                IValue[] args = new IValue[4 + more.length];
                args[0] = x;
                args[1] = p;
                args[2] = cos;
                args[3] = sin;
                System.arraycopy(more, 0, args, 4, more.length);
                return IValueUtils.runMethod(module, method, args);
            }
        }
    }

    @Override
    public void close() {
        program.close();
    }
}
