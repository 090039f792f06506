package org.vit4j.compiled;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * A {@link VisionTransformer}'s inference forward as one TorchScript program ({@code
 * vit_forward.py}, a resource), run by DJL's PyTorch engine: the same arithmetic as the eager
 * blocks, with fused attention ({@code torch.scaled_dot_product_attention}) and optionally
 * bfloat16 matrix products ({@link Precision}). Every config vit4j builds or imports compiles
 * ({@link #supports}): every pooling, class and register tokens, fc-norm, qkv bias with or without
 * its key part, every absolute position embedding, every rotary kind with or without an absolute
 * table, LayerScale.
 *
 * <ul>
 *   <li>Input: images {@code (B, C, H, W)}, float32, normalized, H and W multiples of P, on the
 *       model's device (a PyTorch-engine array).
 *   <li>Weights: the network's own arrays, handed to the program once ({@code load_weights}); a
 *       qkv bias without key part, LayerScale and interleaved rotary pairs are carried into the
 *       weights at load ({@link ProgramWeights}); in bf16 the program keeps bfloat16 copies of the
 *       linear weights, converted inside TorchScript.
 *   <li>Position table: {@code (c + N, D)} computed for each grid by the eager {@link
 *       PositionEmbedding} (so every absolute kind, recomputed or resampled, is the eager one) and
 *       passed as a tensor; the program does not know the kind. Cached per grid.
 *   <li>Rotary tables: {@code cos, sin (L, Hh, T, hd/2)} computed for each grid by the eager {@link
 *       RotaryEmbedding} (fixed kinds: one table, {@code L = Hh = 1}; rope-mixed: one per block and
 *       head from its learned frequencies), passed as tensors and applied to the patch tokens' {@code
 *       q} and {@code k} in every block before the fused attention ({@link #rotation}). Cached per
 *       grid.
 *   <li>Output: {@link #forward} {@code NDList(logits (B, K), pooled (B, D))}, {@link #pooled}
 *       {@code (B, D)}, {@link #features} and {@link #embed} {@code (B, c + R + N, D)}, all float32,
 *       in the images' manager.
 * </ul>
 *
 * <p>A config with an option the program does not implement (one added to {@link ViTConfig} later)
 * is refused by {@link #unsupported}, and callers ({@link InferenceForward}) fall back to the eager
 * blocks. Safe for concurrent calls once built (the program is not changed after loading). The JIT
 * profiles the first calls at a shape: two warm-up passes at the configured size run at load time.
 */
public final class CompiledVit implements AutoCloseable {

    /** The module's class in {@code vit_forward.py}. */
    public static final String CLASS_NAME = "VitForward";

    /** Absolute position-embedding kinds: a table added once, which the program takes as input. */
    private static final Set<PositionEmbeddingKind> ABSOLUTE = EnumSet.of(
            PositionEmbeddingKind.NONE, PositionEmbeddingKind.LEARNED, PositionEmbeddingKind.SINCOS1D,
            PositionEmbeddingKind.SINCOS2D_MAE, PositionEmbeddingKind.SINCOS2D_BIGVISION);

    /** Rotary kinds: cos/sin tables per grid from the eager {@link RotaryEmbedding}, turning q and k in each block. */
    private static final Set<PositionEmbeddingKind> ROTARY = EnumSet.of(
            PositionEmbeddingKind.ROPE_AXIAL, PositionEmbeddingKind.ROPE_MIXED, PositionEmbeddingKind.ROPE_DINOV3);

    /** The tensors of one encoder block in the weight list, in the order {@code vit_forward.py} reads them (stride 12). */
    private static final String[] BLOCK_TENSORS = {
        "norm1.gamma", "norm1.beta", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
        "norm2.gamma", "norm2.beta", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
    };

    private final VisionTransformer network;
    private final Precision.Choice precision;
    private final LinearKernel.Choice kernel;
    private final PtNDManager manager;
    private final PtSymbolBlock module;
    private final Map<String, PtNDArray> posTables = new ConcurrentHashMap<>();
    private final Map<String, Rotation> rotations = new ConcurrentHashMap<>();

    private CompiledVit(VisionTransformer network, Precision.Choice precision, LinearKernel.Choice kernel,
            NDManager parent) {
        this.network = network;
        this.precision = precision;
        this.kernel = kernel;
        this.manager = (PtNDManager) parent.newSubManager();
        try {
            this.module = archive(network.getConfig()).load(manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
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
        String why = unsupported(network.getConfig());
        if (why != null) {
            throw new IllegalArgumentException("the compiled forward does not support this model: " + why);
        }
        if (precision.precision() == Precision.AUTO) {
            throw new IllegalArgumentException("resolve precision auto before compiling (Precision.resolve)");
        }
        if (kernel.kernel() == LinearKernel.AUTO) {
            throw new IllegalArgumentException("resolve linear kernel auto before compiling (LinearKernel.resolve)");
        }
        HeapReuse.apply();
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
     * Whether the compiled program computes this config's forward: every option {@link ViTConfig}
     * has today (pooling, class and register tokens, fc-norm, qkv and key bias, absolute and rotary
     * position embeddings, LayerScale, any size and epsilon). An option added to the config later is
     * refused until the program learns it.
     *
     * @param config the config
     * @return true if {@link #compile} accepts it
     */
    public static boolean supports(ViTConfig config) {
        return unsupported(config) == null;
    }

    /**
     * Why a config does not compile.
     *
     * @param config the config
     * @return the reason, or null if it is supported
     */
    public static String unsupported(ViTConfig config) {
        Architecture a = config.architecture();
        if (!ABSOLUTE.contains(a.posEmb())) {
            return "position embedding " + a.posEmb().cliName() + " is not an absolute table";
        }
        if (a.rope() != PositionEmbeddingKind.NONE && !ROTARY.contains(a.rope())) {
            return "rotary position embedding " + a.rope().cliName() + " is not in the compiled program";
        }
        // A config equal to one rebuilt from the options the program knows has no others set.
        if (!known(config).equals(config)) {
            return "the config sets options the compiled forward does not implement: " + config.toJson();
        }
        return null;
    }

    /**
     * The config rebuilt from the options the program implements, each read from {@code c}: equal to
     * {@code c} unless {@code c} sets an option added to {@link ViTConfig} after these lines.
     */
    private static ViTConfig known(ViTConfig c) {
        Architecture a = c.architecture();
        Preprocessing p = c.preprocessing();
        ViTConfigBuilder b = ViTConfig.builder()
                .setImageSize(a.imageHeight(), a.imageWidth())
                .setPatchSize(a.patchSize())
                .optChannels(a.channels())
                .setWidth(a.width())
                .setDepth(a.depth())
                .setHeads(a.heads())
                .optMlpRatio(a.mlpRatio())
                .setNumClasses(a.numClasses())
                .optPooling(a.pooling())
                .optClassToken(a.classToken())
                .optRegisterTokens(a.registerTokens())
                .optFcNorm(a.fcNorm())
                .optQkvBias(a.qkvBias())
                .optKeyBias(a.keyBias())
                .optPosEmb(a.posEmb())
                .optPosEmbLayout(a.posEmbLayout())
                .optRope(a.rope())
                .optPositionScaling(a.positionScaling()) // the eager blocks' tables
                .optLayerScale(a.layerScale())
                .optLayerNormEps(a.layerNormEps())
                .optDropout(c.dropout())
                .optDropPath(c.dropPath())
                .optSizing(p.sizing())
                .optInterpolation(p.interpolation().cliName())
                .optCropPct(p.cropPct())
                .optNormalization(p.meanArray(), p.stdArray());
        if (a.rope().isRope()) {
            b.optRopeLayout(a.ropeLayout()).optRopeIndexing(a.ropeIndexing()).optRopeTheta(a.ropeTheta());
        }
        return b.build();
    }

    /**
     * The TorchScript archive of a config: the program's source and the config's numbers as
     * module attributes (no tensors; those come with {@code load_weights}).
     *
     * @param config the config
     * @return the archive
     */
    public static TorchScriptArchive archive(ViTConfig config) {
        Architecture a = config.architecture();
        return TorchScriptArchive.builder()
                .setClassName(CLASS_NAME)
                .setSource(source())
                .addAttribute("training", false)
                .addAttribute("patch", a.patchSize())
                .addAttribute("heads", a.heads())
                .addAttribute("depth", a.depth())
                .addAttribute("avg_pool", a.pooling() == Pooling.AVG)
                .addAttribute("fc_norm", a.fcNorm())
                .addAttribute("eps", a.layerNormEps())
                .addAttribute("bf16", false)
                .addAttribute("weights", TorchScriptArchive.EMPTY_TENSOR_LIST)
                .build();
    }

    /** @return the TorchScript source, {@code vit_forward.py} */
    public static String source() {
        return TorchScriptArchive.programSource("vit_forward.py");
    }

    /**
     * The weight list in the program's order, named as {@link VisionTransformer#namedParameters()};
     * {@code null} entries are absent tensors (class or register token, qkv bias), passed as
     * {@code (0, D)} or zeros ({@link ProgramWeights} makes the tensors). Not in it: the learned
     * position table and rope-mixed's frequencies, which reach the program as the per-grid tables of
     * {@link #posTable} and {@link #rotation}, and the LayerScale gammas, folded into {@code
     * attn.proj} and {@code mlp.fc2}.
     *
     * @param config the config
     * @return the names
     */
    static List<String> weightNames(ViTConfig config) {
        Architecture a = config.architecture();
        List<String> names = new ArrayList<>(List.of("patch_embed.proj.weight", "patch_embed.proj.bias"));
        names.add(a.classToken() ? "cls_token" : null);
        names.add(a.registerTokens() > 0 ? "reg_token" : null);
        for (int i = 0; i < a.depth(); i++) {
            for (String t : BLOCK_TENSORS) {
                names.add(t.equals("attn.qkv.bias") && !a.qkvBias() ? null : "blocks." + i + "." + t);
            }
        }
        String norm = a.fcNorm() ? "fc_norm" : "norm";
        names.addAll(List.of(norm + ".gamma", norm + ".beta", "head.weight", "head.bias"));
        return names;
    }

    private void loadWeights() {
        List<PtNDArray> list = ProgramWeights.of(network, manager);
        try (IValue ws = IValue.listFrom(list.toArray(PtNDArray[]::new));
                IValue bf16 = IValue.from(precision.precision() == Precision.BF16);
                IValue packed = IValue.from(kernel.kernel() == LinearKernel.ONEDNN);
                IValue n = IValueUtils.runMethod(module, "load_weights", ws, bf16, packed)) {
            if (n.toLong() != list.size()) {
                throw new IllegalStateException("load_weights took " + n.toLong() + " tensors of " + list.size());
            }
        }
    }

    private void warmUp() {
        Architecture a = network.getConfig().architecture();
        try (NDManager m = manager.newSubManager()) {
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
        List<String> names = weightNames(network.getConfig());
        List<String> linear = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n != null && n.endsWith("weight") && !n.contains("norm")) {
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
    public NDArray features(NDArray images) {
        try (IValue out = run("features", images)) {
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
        try (IValue x = IValue.from((PtNDArray) images); IValue p = IValue.from(posTable(grid))) {
            if (method.equals("embed")) {
                return IValueUtils.runMethod(module, method, x, p);
            }
            Rotation r = rotation(grid);
            try (IValue cos = IValue.from(r.cos()); IValue sin = IValue.from(r.sin())) {
                return IValueUtils.runMethod(module, method, x, p, cos, sin);
            }
        }
    }

    /**
     * The absolute position table for a grid, from the eager block: its embedding added to zero
     * tokens is the table itself ({@code 0 + t = t} exactly), so every kind, the resampling of a
     * learned table and the zero class-token row of sin-cos tables are the eager code's.
     *
     * @param grid the input's patch grid
     * @return {@code (c + N, D)}, or {@code (0, D)} for kind {@code none}
     */
    PtNDArray posTable(PatchGrid grid) {
        return posTables.computeIfAbsent(grid.rows() + "x" + grid.cols(), k -> {
            Architecture a = network.getConfig().architecture();
            PositionEmbedding pe = network.getPositionEmbedding();
            if (pe.getKind() == PositionEmbeddingKind.NONE) {
                return (PtNDArray) manager.zeros(new Shape(0, a.width()));
            }
            long rows = grid.size() + (a.classToken() ? 1 : 0);
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDManager tmp = manager.newSubManager()) {
                NDArray zeros = tmp.zeros(new Shape(1, rows, a.width())); // (1, c + N, D)
                NDArray t = pe.add(new ParameterStore(tmp, false), zeros, grid, false).reshape(rows, a.width());
                NDArray copy = t.duplicate(); // (c + N, D), detached from the eager block's caches
                copy.attach(manager);
                return (PtNDArray) copy;
            } finally {
                JniUtils.setGradMode(grad);
            }
        });
    }

    /**
     * The rotary tables of one grid as the program reads them, each {@code (L, Hh, T, hd/2)}: one
     * angle per rotation pair, or {@code (0, 1, 1, 1)} without RoPE.
     *
     * @param cos the cosines, 1 in the class and register tokens' rows
     * @param sin the sines, 0 in the prefix tokens' rows
     */
    record Rotation(PtNDArray cos, PtNDArray sin) {}

    /**
     * The rotary tables for a grid, from the eager {@link RotaryEmbedding#rotations}: {@code L = Hh =
     * 1} for the fixed kinds (one table for every block and head), {@code L = depth, Hh = H} for
     * rope-mixed (its learned frequencies). Arranged for the program's rotation of adjacent pairs
     * {@code (x0 + i x1)(cos + i sin)}: one value per pair {@code p} (the q/k weights of half-layout
     * models are permuted to adjacent pairs, {@link ProgramWeights}), with rows that turn nothing
     * ({@code cos = 1, sin = 0}) for the {@code c + R} class and register tokens, so the program
     * rotates all {@code T} tokens at once. Cached per grid.
     *
     * @param grid the input's patch grid
     * @return the tables
     */
    Rotation rotation(PatchGrid grid) {
        return rotations.computeIfAbsent(grid.rows() + "x" + grid.cols(), key -> {
            RotaryEmbedding rope = network.getRotaryEmbedding();
            if (rope == null) {
                return new Rotation((PtNDArray) manager.zeros(new Shape(0, 1, 1, 1)),
                        (PtNDArray) manager.zeros(new Shape(0, 1, 1, 1)));
            }
            Architecture a = network.getConfig().architecture();
            int hd = a.width() / a.heads();
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDManager tmp = manager.newSubManager()) {
                NDArray like = tmp.zeros(new Shape(1));
                List<NDList> perBlock = rope.rotations(new ParameterStore(tmp, false), grid, like, false);
                PtNDArray[] tables = new PtNDArray[2];
                for (int j = 0; j < 2; j++) { // cos, then sin
                    NDArray t;
                    if (rope.getKind() == PositionEmbeddingKind.ROPE_MIXED) {
                        NDList all = new NDList();
                        for (NDList b : perBlock) {
                            all.add(b.get(j)); // (H, N, hd)
                        }
                        t = NDArrays.stack(all, 0); // (depth, H, N, hd)
                    } else {
                        t = perBlock.get(0).get(j).duplicate(); // (N, hd), the block's cached table
                        t.attach(tmp);
                        t = t.reshape(1, 1, grid.size(), hd); // (1, 1, N, hd)
                    }
                    Shape s = t.getShape(); // (L, Hh, N, hd): each pair's value twice, in the model's layout
                    t = rope.getLayout() == RopeLayout.INTERLEAVED
                            ? t.reshape(s.get(0), s.get(1), s.get(2), hd / 2, 2).get(":, :, :, :, 0") // (2p, 2p+1)
                            : t.get(":, :, :, 0:" + hd / 2); // (p, p + hd/2); (L, Hh, N, hd/2) either way
                    long prefix = a.prefixTokens();
                    if (prefix > 0) {
                        Shape rows = new Shape(s.get(0), s.get(1), prefix, hd / 2);
                        t = (j == 0 ? tmp.ones(rows) : tmp.zeros(rows)).concat(t, 2); // (L, Hh, T, hd/2)
                    }
                    NDArray copy = t.duplicate();
                    copy.attach(manager);
                    tables[j] = (PtNDArray) copy;
                }
                return new Rotation(tables[0], tables[1]);
            } finally {
                JniUtils.setGradMode(grad);
            }
        });
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
