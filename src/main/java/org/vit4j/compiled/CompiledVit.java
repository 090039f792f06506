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

    /** The route code of {@code int8} in the program ({@code vit.py}'s {@code route_names()}). */
    private static final long INT8_ROUTE = 3;

    /**
     * The linear kernel of an int8 program: every layer is int8 ({@code quantized::linear_dynamic});
     * {@code aten::linear} only for a layer whose int8 product fails the load-time check.
     */
    public static final LinearKernel.Choice INT8_FALLBACK = new LinearKernel.Choice(LinearKernel.ATEN,
            "int8: aten::linear only where a layer fails the int8 check");

    private final VisionTransformer network;
    private final Precision.Choice precision;
    private final LinearKernel.Choice kernel;
    private final BatchParts.Choice parts;
    private final KernelOptions options;
    private final VitProgram program;
    private final PtSymbolBlock module;
    private KernelChooser.Result kernels;

    private CompiledVit(VisionTransformer network, Precision.Choice precision, LinearKernel.Choice kernel,
            KernelOptions options, BatchParts.Choice parts, NDManager parent) {
        this.network = network;
        this.precision = precision;
        this.kernel = kernel;
        this.options = options;
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
     * then the program takes the weights, each stored for its layer's route (in int8 every layer
     * int8). A batch of two or more images is computed in parts at once ({@link BatchParts}); with
     * parts, the first such program of the process starts {@link PartsThread}'s thread and
     * libtorch's inter-op pool, which sets libtorch's process-wide intra-op thread count for a
     * moment and back (threads that first run libtorch in that moment get one).
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
        CompiledVit c = new CompiledVit(network, precision, kernel, options, parts, manager);
        try {
            c.kernels = new KernelChooser(c.program, precision.precision(), options, System.err)
                    .choose(kernel.kernel(), gpu, c.linearWeightNames());
            c.loadWeights(c.kernels.linear());
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
        if (precision.precision() == Precision.INT8) {
            codes = codes.clone();
            Arrays.fill(codes, INT8_ROUTE); // vit.py route_names()
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
            PartsThread.start(() -> forward(x, parts.max()).close());
            for (int i = 0; i < 2; i++) {
                PartsThread.call(() -> forward(x, parts.max())).close();
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

    /** @return the linear kernel requested for the program, with the reason (per layer: {@link #linearKernels}) */
    public LinearKernel.Choice getLinearKernel() {
        return kernel;
    }

    /**
     * What multiplies each linear layer: {@code onednn-packed} (a weight packed at load, {@code
     * mkldnn::_linear_pointwise}), {@code mkl-packed} (MKL's packed sgemm, {@code mkl::_mkl_linear}),
     * {@code int8} (an int8 weight, {@code quantized::linear_dynamic}) or {@code aten} ({@code
     * aten::linear}: requested or measured fastest, or a route that failed the program's load-time
     * check).
     *
     * @return weight name (as {@link VisionTransformer#namedParameters()}) to kernel, in program order
     */
    public Map<String, String> linearKernels() {
        List<String> linear = linearWeightNames();
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

    /** @return the linear layers' weight names, in the order of the program's {@code linear()} */
    List<String> linearWeightNames() {
        List<String> linear = new ArrayList<>();
        for (String n : VitProgram.weightNames(network.getConfig())) {
            if (n != null && n.endsWith("weight") && !n.contains("norm")) {
                linear.add(n);
            }
        }
        return linear;
    }

    /**
     * One line for {@code bench} and {@code info}: the requested kernel and the route each weight
     * shape got, with its number of layers (a route that failed the load-time check shows as {@code
     * aten}).
     *
     * @return e.g. {@code auto (auto: fp32, measured per weight shape) at 197 rows: 2304x768 mkl-packed (12
     *     layers), 768x768 onednn-packed (13 layers), ...}; in int8 {@code int8 (quantized::linear_dynamic):
     *     50 of 50 layers int8}
     */
    public String describeLinearKernels() {
        Map<String, String> k = linearKernels();
        if (precision.precision() == Precision.INT8) {
            List<String> fp32 = new ArrayList<>();
            k.forEach((name, kind) -> {
                if (!kind.equals("int8")) {
                    fp32.add(name);
                }
            });
            String s = "int8 (quantized::linear_dynamic): " + (k.size() - fp32.size()) + " of " + k.size() + " layers int8";
            return fp32.isEmpty() ? s : s + "; aten::linear (int8 failed the load-time check) for " + String.join(", ", fp32);
        }
        Map<String, Parameter> params = network.namedParameters();
        Map<String, Map<String, Integer>> byShape = new LinkedHashMap<>();
        k.forEach((name, route) -> {
            Shape s = params.get(name).getArray().getShape();
            byShape.computeIfAbsent(s.get(0) + "x" + s.get(1), x -> new LinkedHashMap<>()).merge(route, 1, Integer::sum);
        });
        List<String> parts = new ArrayList<>();
        byShape.forEach((shape, routes) -> routes.forEach((route, n) -> parts.add(shape + " " + route + " ("
                + n + (n == 1 ? " layer)" : " layers)"))));
        return kernel + " at " + kernels.mklRows() + " rows: " + String.join(", ", parts);
    }

    /**
     * The attention route of the fp32 forward.
     *
     * @return {@code flash} or {@code matmul} ({@link AttentionKernel}); in bf16 always {@code matmul}
     */
    public String attentionKernel() {
        return precision.precision() == Precision.BF16 ? "matmul (bf16)"
                : AttentionKernel.values()[kernels.attention()].cliName();
    }

    /**
     * The kernel shapes timed for {@code auto} (or read from the cache): each linear weight shape
     * and the attention shape, with every route's time and the choice. Empty where nothing was
     * measured (forced kernels, bf16, a GPU).
     *
     * @return the measurements, linear first
     */
    public List<KernelMeasurement> kernelMeasurements() {
        return kernels.measurements();
    }

    /** @return the options the kernels were chosen with */
    public KernelOptions kernelOptions() {
        return options;
    }

    /**
     * Logits and pooled embedding; a batch of two or more images in {@link #getBatchParts} parts
     * at once, on the parts' thread ({@link PartsThread}).
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code NDList(logits (B, K), pooled (B, D))} in the images' manager
     */
    public NDList forward(NDArray images) {
        int p = partsFor(images);
        if (p > 1) {
            return PartsThread.call(() -> forward(images, p));
        }
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
     * The pooled embedding the head reads (the head is not run); in parts as {@link #forward(NDArray)}.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, D)} in the images' manager
     */
    public NDArray pooled(NDArray images) {
        int p = partsFor(images);
        if (p > 1) {
            return PartsThread.call(() -> pooled(images, p));
        }
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
     * final norm (timm's {@code forward_features}; {@link VisionTransformer#forwardEncoded}); in
     * parts as {@link #forward(NDArray)}.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, c + R + N, D)} in the images' manager
     */
    public NDArray encoded(NDArray images) {
        int p = partsFor(images);
        if (p > 1) {
            return PartsThread.call(() -> encoded(images, p));
        }
        try (IValue out = run("encoded", images)) {
            return out.toTensor(owner(images));
        }
    }

    /** The parts of a batch of these images (1 for images that are not a batch {@code run} accepts). */
    private int partsFor(NDArray images) {
        Shape s = images.getShape();
        return s.dimension() == 4 ? parts.partsFor(s.get(0)) : 1;
    }

    /**
     * The forward computed in {@code parts} consecutive row blocks of the batch at once (rows
     * {@code s B / parts} to {@code (s + 1) B / parts}): parts 1.. in libtorch's inter-op tasks, part
     * 0 on the calling thread, the results concatenated in order. Each part gets the intra-op
     * threads of the thread it runs on (libtorch keeps the count per thread): called from an
     * ordinary thread, part 0 runs on all of them beside the others ({@link PartsThread} has the
     * layout {@link #forward(NDArray)} uses).
     *
     * @param images {@code (B, C, H, W)}
     * @param parts how many row blocks, 1 to B (1: the unsplit pass)
     * @return {@code NDList(logits (B, K), pooled (B, D))} in the images' manager
     * @throws IllegalArgumentException if {@code parts} is below 1 or above B
     */
    public NDList forward(NDArray images, int parts) {
        PtNDManager owner = owner(images);
        try (IValue out = runParts("forward", images, parts)) {
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
     * {@link #pooled(NDArray)} in {@code parts} row blocks at once, as {@link #forward(NDArray, int)}.
     *
     * @param images {@code (B, C, H, W)}
     * @param parts how many row blocks, 1 to B
     * @return {@code (B, D)} in the images' manager
     * @throws IllegalArgumentException if {@code parts} is below 1 or above B
     */
    public NDArray pooled(NDArray images, int parts) {
        try (IValue out = runParts("pooled", images, parts)) {
            return out.toTensor(owner(images));
        }
    }

    /**
     * {@link #encoded(NDArray)} in {@code parts} row blocks at once, as {@link #forward(NDArray, int)}.
     *
     * @param images {@code (B, C, H, W)}
     * @param parts how many row blocks, 1 to B
     * @return {@code (B, c + R + N, D)} in the images' manager
     * @throws IllegalArgumentException if {@code parts} is below 1 or above B
     */
    public NDArray encoded(NDArray images, int parts) {
        try (IValue out = runParts("encoded", images, parts)) {
            return out.toTensor(owner(images));
        }
    }

    /** {@code method} unsplit for one part, else the program's {@code method_parts}. */
    private IValue runParts(String method, NDArray images, int parts) {
        long b = images.getShape().dimension() > 0 ? images.getShape().get(0) : 0;
        if (parts < 1 || parts > Math.max(1, b)) {
            throw new IllegalArgumentException("parts must be 1 to the batch size " + b + ", got " + parts);
        }
        if (parts == 1) {
            return run(method, images);
        }
        try (IValue n = IValue.from((long) parts)) {
            return run(method + "_parts", images, n);
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
